/// The Prometheus text exposition format (version 0.0.4), written by hand.
public enum MetricsExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders the metrics; `queueDepth`/`dropped` come from the recording queue and
    /// `writeFailures` from its writer (0 without them).
    public static func render(_ s: ProxyMetrics.Snapshot, queueDepth: Int, dropped: Int,
                              writeFailures: (batches: Int, lost: Int) = (0, 0)) -> String {
        var out = ""
        out += "# HELP gwsim_requests_total Requests served, by route, backend and response status.\n"
        out += "# TYPE gwsim_requests_total counter\n"
        let series = s.requests.sorted { ($0.key.route, $0.key.backend, $0.key.status) < ($1.key.route, $1.key.backend, $1.key.status) }
        for (key, count) in series {
            out += "gwsim_requests_total{route=\"\(escape(key.route))\",backend=\"\(escape(key.backend))\",status=\"\(escape(key.status))\"} \(count)\n"
        }
        out += "# HELP gwsim_request_duration_seconds Time from request head to the end of the response.\n"
        out += "# TYPE gwsim_request_duration_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in ProxyMetrics.buckets.enumerated() {
            cumulative += s.bucketCounts[index]
            out += "gwsim_request_duration_seconds_bucket{le=\"\(number(bound))\"} \(cumulative)\n"
        }
        cumulative += s.bucketCounts[ProxyMetrics.buckets.count]
        out += "gwsim_request_duration_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "gwsim_request_duration_seconds_sum \(number(s.latencySum))\n"
        out += "gwsim_request_duration_seconds_count \(s.latencyCount)\n"
        out += "# HELP gwsim_event_queue_depth Request records waiting for the event log writer.\n"
        out += "# TYPE gwsim_event_queue_depth gauge\n"
        out += "gwsim_event_queue_depth \(queueDepth)\n"
        out += "# HELP gwsim_events_dropped_total Request records dropped because the event queue was full.\n"
        out += "# TYPE gwsim_events_dropped_total counter\n"
        out += "gwsim_events_dropped_total \(dropped)\n"
        out += "# HELP gwsim_event_write_failures_total Failed writes to the event log (a kept batch counts again at each retry).\n"
        out += "# TYPE gwsim_event_write_failures_total counter\n"
        out += "gwsim_event_write_failures_total \(writeFailures.batches)\n"
        out += "# HELP gwsim_events_lost_total Events the event log writer could not write and did not keep for a retry.\n"
        out += "# TYPE gwsim_events_lost_total counter\n"
        out += "gwsim_events_lost_total \(writeFailures.lost)\n"
        out += "# HELP gwsim_config_swaps_total Routing tables swapped in by the admin API.\n"
        out += "# TYPE gwsim_config_swaps_total counter\n"
        out += "gwsim_config_swaps_total \(s.configSwaps)\n"
        return out
    }

    /// Label value escaping: backslash, double quote and newline.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }
}
