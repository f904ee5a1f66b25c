#!/usr/bin/env python3
"""Writes the manifests of the `large` scenario: one Gateway, 20 team namespaces,
100 hostnames, 1,000 HTTPRoutes with a realistic mix of Exact and PathPrefix matches,
a few header matches and weighted backends; plus candidate.yaml (a few rules
re-weighted, one prefix narrowed).

Deterministic (own SplitMix64, no `random`), Python 3 standard library only:
running it again rewrites byte-identical files. Usage: python3 make-manifests.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
TEAMS = 20
HOSTS_PER_TEAM = 5
ROUTES_PER_HOST = 10
SERVICES_PER_TEAM = 8
WORDS = ["atlas", "beacon", "cobalt", "dune", "ember", "falcon", "granite", "harbor", "iris", "jade",
         "koala", "lotus", "mango", "nova", "orbit", "prism", "quill", "ridge", "sable", "tango"]
PREFIXES = ["/api", "/api/v1", "/api/v2", "/static", "/assets", "/images", "/auth", "/account",
            "/search", "/admin", "/docs", "/blog", "/cart", "/checkout", "/orders", "/users",
            "/products", "/reports", "/graphql", "/ws"]
EXACTS = ["/healthz", "/robots.txt", "/favicon.ico", "/login", "/logout", "/sitemap.xml"]
MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def choice(self, items):
        return items[self.below(len(items))]


def yaml(value, indent=0):
    """Block YAML for dicts/lists of str/int (all strings quoted when ambiguous)."""
    pad = " " * indent
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{k}:")
                out.append(yaml(v, indent + 2))
            else:
                out.append(f"{pad}{k}: {scalar(v)}")
    else:
        for item in value:
            if isinstance(item, dict):
                inner = yaml(item, indent + 2).split("\n")
                out.append(pad + "- " + inner[0].lstrip())
                out.extend(inner[1:])
            else:
                out.append(f"{pad}- {scalar(item)}")
    return "\n".join(out)


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (dict, list)):
        return "{}" if isinstance(v, dict) else "[]"
    s = str(v)
    if s == "" or s[0] in "*&!|>'\"%@`{[-?:#" or s in ("true", "false", "null") or s.isdigit():
        return '"' + s + '"'
    return s


def docs(objects):
    return "".join("---\n" + yaml(o) + "\n" for o in objects)


def team_name(t):
    return f"team-{WORDS[t]}"


def host_name(t, h):
    return f"{WORDS[(t * 7 + h * 3) % len(WORDS)]}-{t * HOSTS_PER_TEAM + h:03d}.example.net"


def service(ns, name, port):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": port, "targetPort": 8080}]}}


def backend(rng, services, weighted):
    if weighted:
        a, b = rng.choice(services), rng.choice(services)
        if a == b:
            b = services[(services.index(a) + 1) % len(services)]
        w = rng.choice([90, 80, 95, 50])
        return [{"name": a, "port": 8080, "weight": w}, {"name": b, "port": 8080, "weight": 100 - w}]
    return [{"name": rng.choice(services), "port": 8080}]


def route(rng, ns, host, index, services):
    name = host.split(".")[0] + f"-r{index}"
    parent = [{"name": "public", "namespace": "edge", "sectionName": "http"}]
    if index == 0:
        rules = [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": backend(rng, services, False)}]
    else:
        rules = []
        for _ in range(1 + rng.below(3)):
            kind = rng.below(10)
            if kind < 6:
                match = {"path": {"type": "PathPrefix", "value": rng.choice(PREFIXES)}}
            elif kind < 9:
                match = {"path": {"type": "Exact", "value": rng.choice(EXACTS)}}
            else:
                match = {"path": {"type": "PathPrefix", "value": rng.choice(PREFIXES)},
                         "headers": [{"name": "X-Canary", "value": "true"}]}
            rules.append({"matches": [match], "backendRefs": backend(rng, services, rng.below(8) == 0)})
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"parentRefs": parent, "hostnames": [host], "rules": rules}}


def main():
    rng = SplitMix64(20260101)
    gateway = [
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "edge"},
         "spec": {"controllerName": "example.net/edge-controller"}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "public", "namespace": "edge"},
         "spec": {"gatewayClassName": "edge", "listeners": [
             {"name": "http", "protocol": "HTTP", "port": 80, "allowedRoutes": {"namespaces": {"from": "All"}}}]}},
    ]
    header = "# Generated by make-manifests.py; do not edit by hand.\n"
    with open(os.path.join(HERE, "00-gateway.yaml"), "w") as f:
        f.write(header + docs(gateway))
    all_routes = []
    for t in range(TEAMS):
        ns = team_name(t)
        services = [f"svc-{WORDS[(t + s) % len(WORDS)]}-{s}" for s in range(SERVICES_PER_TEAM)]
        objects = [service(ns, s, 8080) for s in services]
        for h in range(HOSTS_PER_TEAM):
            host = host_name(t, h)
            for r in range(ROUTES_PER_HOST):
                objects.append(route(rng, ns, host, r, services))
                all_routes.append(objects[-1])
        with open(os.path.join(HERE, f"{t + 1:02d}-{ns}.yaml"), "w") as f:
            f.write(header + docs(objects))
    # Candidate: re-weight three weighted rules and narrow one prefix.
    changed = []
    for r in all_routes:
        # A canary already at 50/50 would be no change at all.
        weighted = [rule for rule in r["spec"]["rules"] if len(rule["backendRefs"]) == 2 and rule["backendRefs"][0]["weight"] != 50]
        if weighted and len(changed) < 3:
            refs = weighted[0]["backendRefs"]
            refs[0]["weight"], refs[1]["weight"] = 50, 50
            changed.append(r)
    for r in all_routes:
        match = r["spec"]["rules"][0]["matches"][0]["path"]
        if match == {"type": "PathPrefix", "value": "/api"} and r not in changed:
            match["value"] = "/api/v1"
            changed.append(r)
            break
    with open(os.path.join(HERE, "candidate.yaml"), "w") as f:
        f.write("# Generated by make-manifests.py: three canaries moved to 50/50 and one /api prefix\n"
                "# narrowed to /api/v1 (so its /api/v2 traffic falls through to the host's catch-all).\n" + docs(changed))
    write_scenario()


def write_scenario():
    """../large.yaml: Zipf-like host popularity, paths drawn from the same pools as the routes."""
    hosts = [host_name(t, h) for t in range(TEAMS) for h in range(HOSTS_PER_TEAM)]
    lines = [
        "# Generated by large/make-manifests.py; edit the script, not this file.",
        "# 1,000 HTTPRoutes on 100 hostnames behind one Gateway (edge/public, HTTP 80).",
        "name: large",
        "description: >",
        "  About 1,000 HTTPRoutes across 100 hostnames (Exact, PathPrefix, header matches,",
        "  weighted canaries); candidate re-weights three canaries and narrows one prefix.",
        "manifests:  # listed one by one: large/ also holds candidate.yaml",
        "  - large/00-gateway.yaml",
    ] + [f"  - large/{t + 1:02d}-{team_name(t)}.yaml" for t in range(TEAMS)] + [
        "candidate:",
        "  - large/candidate.yaml",
        "traffic:",
        "  start: 2026-01-01T00:00:00Z",
        "  rate: 1000",
        "  requests: 100000",
        "  hosts:",
    ]
    lines += [f"    - {{host: {h}, weight: {max(1, round(1000 / (i + 1)))}}}" for i, h in enumerate(hosts)]
    lines.append("  paths:")
    lines.append("    - {path: /, weight: 20}")
    for i, p in enumerate(PREFIXES):
        lines.append(f"    - {{path: \"{p}/{{word}}/{{id}}\", weight: {8 if i < 4 else 3}}}")
    for e in EXACTS:
        lines.append(f"    - {{path: {e}, weight: 2}}")
    lines += [
        "  methods:",
        "    - {method: GET, weight: 80}",
        "    - {method: POST, weight: 15}",
        "    - {method: DELETE, weight: 5}",
        "  headers:",
        "    - name: User-Agent",
        "      values:",
        "        - {value: \"Mozilla/5.0 (X11; Linux x86_64)\", weight: 5}",
        "        - {value: Go-http-client/1.1, weight: 3}",
        "        - {value: curl/8.5.0, weight: 1}",
        "    - name: X-Canary",
        "      value: \"true\"",
        "      probability: 0.05",
        "  queries:",
        "    - {query: \"q={word}\", weight: 1, probability: 0.2}",
        "  scheme: http",
        "  port: 80",
        "  clients: 5000",
    ]
    with open(os.path.join(HERE, "..", "large.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
