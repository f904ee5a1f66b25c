/// Real key pairs standing in for the certificates upstream's harness generates at run
/// time (conformance/utils/suite/suite.go, utils/kubernetes/certificate.go): the same
/// Secret and ConfigMap names, the same subject alt names, the same signing relations
/// (which CA signed which serving or client certificate), so that a live run can complete
/// TLS handshakes with them. Generated once (ECDSA P-256, valid 2020 to 2120) rather than
/// at every run: they protect nothing, they only have to verify.
///
/// One difference: upstream's two self-signed serving certificates (`certificate`,
/// `tls-validity-checks-certificate`) are signed here by `standInRoot`, because BoringSSL
/// does not accept a self-signed leaf as its own trust anchor the way Go's client does.
package enum SuiteCertificates {
    package struct KeyPair: Sendable {
        package var certificate: String
        package var key: String
    }

    /// Serving and client certificates by Secret name (the passthrough certificate is the
    /// same in both namespaces that hold it, as one key pair serves both here).
    package static let secrets: [String: KeyPair] = [
        "certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIBzzCCAXWgAwIBAgIULzhjgc77gV49s3mBTEAvf6POKXAwCgYIKoZIzj0EAwIw
            QzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xHDAaBgNVBAMM
            E2d3c2ltLXN0YW5kLWluLXJvb3QwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEw
            MDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1bHQwWTAT
            BgcqhkjOPQIBBggqhkjOPQMBBwNCAASC+kWjqG9RO24uKrezoPCj3MU2dh89sJHI
            ESunP0iQHXGlggUSrfe1hsAJzFmYomypcp5KrYeLStT7VOpiTXgzo2QwYjAMBgNV
            HRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEFBQcDATAM
            BgNVHREEBTADggEqMB8GA1UdIwQYMBaAFJS2PNwRe0pv+flPzHOUdaFy2eBDMAoG
            CCqGSM49BAMCA0gAMEUCIEFbITDTvojLi3la9bAOctYEqftP/UtJsPm2bAcv2Q4G
            AiEAlOX/T3yzTqEkqMJrSdcTTEEPOEPESgD5mcgGe3P9320=
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvM3nGsPNdxG5LhD4
            tDQbi/RB4EbRmAhnqgeyqlUAwcahRANCAASC+kWjqG9RO24uKrezoPCj3MU2dh89
            sJHIESunP0iQHXGlggUSrfe1hsAJzFmYomypcp5KrYeLStT7VOpiTXgz
            -----END PRIVATE KEY-----
            """),
        "tls-validity-checks-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIB5TCCAYygAwIBAgIUd9KRzZ2FHx3CsdOBAogccXSAS8UwCgYIKoZIzj0EAwIw
            QzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xHDAaBgNVBAMM
            E2d3c2ltLXN0YW5kLWluLXJvb3QwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEw
            MDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1bHQwWTAT
            BgcqhkjOPQIBBggqhkjOPQMBBwNCAARJVKxElHpD16CA/iKoLIcQIHux7DZZEJfU
            SCgDCq7ZuBcbFfU8jmAFlVvDLHEqubWkNWZOhoOGj0HHZSOvTPuso3sweTAMBgNV
            HRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEFBQcDATAj
            BgNVHREEHDAaggEqggUqLm9yZ4IOKi53aWxkY2FyZC5vcmcwHwYDVR0jBBgwFoAU
            lLY83BF7Sm/5+U/Mc5R1oXLZ4EMwCgYIKoZIzj0EAwIDRwAwRAIgX0KobhXze4gk
            YSbOlWfYbub0T9RkK//35pppsqAoNRUCIBirOrEgHSsSgLnbqu8UtTguHXw5GEIA
            jKEAaPhVo2sM
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHLsI5JPV6gFDQXM6
            fTDm5U3Sp6dOKBjWfoP/W02Lu0+hRANCAARJVKxElHpD16CA/iKoLIcQIHux7DZZ
            EJfUSCgDCq7ZuBcbFfU8jmAFlVvDLHEqubWkNWZOhoOGj0HHZSOvTPus
            -----END PRIVATE KEY-----
            """),
        "tls-validity-checks-client-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIB0DCCAXagAwIBAgIUf1dxlgJUYrD5NUUHmV5KxEqnOIwwCgYIKoZIzj0EAwIw
            UjEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xKzApBgNVBAMM
            InRscy12YWxpZGl0eS1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAw
            MDAwWhgPMjEyMDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNV
            BAMMB2RlZmF1bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASzsfHV8ECMZuXN
            p97RgDFUkphmoXhNn0CgCYTXniD6WSDlGJs0EVSIKzsnVwqXL+MuMMpZlfRKCSN6
            VvJ7MSBXo1YwVDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUE
            DDAKBggrBgEFBQcDAjAfBgNVHSMEGDAWgBRAqI/ptq/98urk4oZkLDgBz+q0gTAK
            BggqhkjOPQQDAgNIADBFAiBtTSnpmWWhdexTwKADHaTM9Wf1doE85OpdZPhN4HzX
            TgIhAP0xgWhzNWekpYbLETKaR2/2PCdMA9iJzrZoeeiDJpS3
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEZMhwS/hI5Zf5zf+
            i1N2VtEWHFVd28nJXzUc56yBd1ahRANCAASzsfHV8ECMZuXNp97RgDFUkphmoXhN
            n0CgCYTXniD6WSDlGJs0EVSIKzsnVwqXL+MuMMpZlfRKCSN6VvJ7MSBX
            -----END PRIVATE KEY-----
            """),
        "tls-validity-checks-per-port-client-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIB2DCCAX+gAwIBAgIUfiCsR+93BIsVaSM4jAUEUB0Q6+kwCgYIKoZIzj0EAwIw
            WzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xNDAyBgNVBAMM
            K3Rscy12YWxpZGl0eS1jaGVja3MtcGVyLXBvcnQtY2EtY2VydGlmaWNhdGUwIBcN
            MjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUg
            Q28xEDAOBgNVBAMMB2RlZmF1bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATq
            D40I9OuvJKBcJjcOnjZnwnbbIEBYsIwI/oSHPF0u3IKp680QScBLfNwRGsAqGBFO
            BYB+kDR8XKb7Ska4gnh4o1YwVDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIF
            oDATBgNVHSUEDDAKBggrBgEFBQcDAjAfBgNVHSMEGDAWgBSUPlJ4ZHgp60KJSV33
            RbLaOpDH/DAKBggqhkjOPQQDAgNHADBEAiAG5dwlGfN8BwvhFEj/hk0vg4k14Whz
            1S65BAhEGsp5kgIgBCEL4/YILu+KDp9GoSU6qjYZSHrYole2jb23Q/J2BJw=
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkWtnTeUw0cdoYQ4o
            69RiLAHmLufBS3jEVl5qdfZ2FF+hRANCAATqD40I9OuvJKBcJjcOnjZnwnbbIEBY
            sIwI/oSHPF0u3IKp680QScBLfNwRGsAqGBFOBYB+kDR8XKb7Ska4gnh4
            -----END PRIVATE KEY-----
            """),
        "tls-checks-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIICITCCAcagAwIBAgIUBqbG8rz3PA72du/1gaQUotaG2QYwCgYIKoZIzj0EAwIw
            STEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIjAgBgNVBAMM
            GXRscy1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAwMDAwWhgPMjEy
            MDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1
            bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQpxXfvukrR7o5J99RYDJIH4XtT
            zww3xgW7pE3X9JnmzxLXLLLcWzBuFRfF8CN0PyXzRwgRxRTgUq+E24yFWjtlo4Gu
            MIGrMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsG
            AQUFBwMBMFUGA1UdEQROMEyCD2FiYy5leGFtcGxlLmNvbYYmc3BpZmZlOi8vYWJj
            LmV4YW1wbGUuY29tL3Rlc3QtaWRlbnRpdHmCEW90aGVyLmV4YW1wbGUuY29tMB8G
            A1UdIwQYMBaAFC2HwmnQMGjpVkh9O9fS8Y2bdns8MAoGCCqGSM49BAMCA0kAMEYC
            IQDGypQnpN5Jg0C7IZlt91g37rygHlqdMPSrSBdE6aueIAIhAKQbWgcR76PVeBsJ
            JM3ZBxLfAirWsjK2qrJxQYLpz7zM
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGCtweZ+K8h3QOalh
            /Bp2KwZCsOsSn5QDclPZz9r+pC2hRANCAAQpxXfvukrR7o5J99RYDJIH4XtTzww3
            xgW7pE3X9JnmzxLXLLLcWzBuFRfF8CN0PyXzRwgRxRTgUq+E24yFWjtl
            -----END PRIVATE KEY-----
            """),
        "tls-checks-client-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIBxjCCAW2gAwIBAgIUEczbzDIP+iUbNt6L7DWdjgGu2NUwCgYIKoZIzj0EAwIw
            STEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIjAgBgNVBAMM
            GXRscy1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAwMDAwWhgPMjEy
            MDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1
            bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARynBj63ct/9YsGHyROCUfj9K2A
            PwdkuRv8EoBHyz3WjzFAZH52fCmsfFTlSAyFA7N/aDxDbx2msp2F2Pjdutvqo1Yw
            VDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEF
            BQcDAjAfBgNVHSMEGDAWgBQth8Jp0DBo6VZIfTvX0vGNm3Z7PDAKBggqhkjOPQQD
            AgNHADBEAiAGj0un/0eBSGspawX32Pdhc5FtuSRsww+Qk7XFHtTq/QIgS9E/gZii
            A8POrxg9hv2DDu9X+J5fXDrmdTMSouP1wnA=
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgV8zPa/rkWeAmUAiJ
            OyVkqqY2iW1kDiCViuLXVG7shUOhRANCAARynBj63ct/9YsGHyROCUfj9K2APwdk
            uRv8EoBHyz3WjzFAZH52fCmsfFTlSAyFA7N/aDxDbx2msp2F2Pjdutvq
            -----END PRIVATE KEY-----
            """),
        "tls-passthrough-checks-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIB5DCCAYmgAwIBAgIUVPletaihHs3Hwh8M1ahkTqbIJgMwCgYIKoZIzj0EAwIw
            STEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIjAgBgNVBAMM
            GXRscy1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAwMDAwWhgPMjEy
            MDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1
            bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ0RQIxOFvNKVcdw7HFgU3Qc4at
            Sx6nj75qcl92onhNilQEqvTlQxRBF7ylTyoQe70q/eF7j+99chQJC2zwyrb0o3Iw
            cDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEF
            BQcDATAaBgNVHREEEzARgg9hYmMuZXhhbXBsZS5jb20wHwYDVR0jBBgwFoAULYfC
            adAwaOlWSH0719LxjZt2ezwwCgYIKoZIzj0EAwIDSQAwRgIhAOuOhOpCe7/mG/Vs
            hM7wVPtLFJ45k8XD6ikfJRBgkibKAiEA4nbhBuq7mLm2YFQ6Ict5vpm2gmWAaQX4
            AMi6aqgN3BE=
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4avju1Im+A6q+pwk
            72Q0McGb8T4Ji09OAgAn9WmI6E2hRANCAAQ0RQIxOFvNKVcdw7HFgU3Qc4atSx6n
            j75qcl92onhNilQEqvTlQxRBF7ylTyoQe70q/eF7j+99chQJC2zwyrb0
            -----END PRIVATE KEY-----
            """),
        "tls-terminate-checks-certificate": KeyPair(certificate: """
            -----BEGIN CERTIFICATE-----
            MIIB4zCCAYmgAwIBAgIUawO8YuZsv+ITdN/oig3YjRGxNkEwCgYIKoZIzj0EAwIw
            STEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIjAgBgNVBAMM
            GXRscy1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAwMDAwWhgPMjEy
            MDAxMDEwMDAwMDBaMCQxEDAOBgNVBAoMB0FjbWUgQ28xEDAOBgNVBAMMB2RlZmF1
            bHQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARxmj7PS3U0Byu+/AZc+fsh2ady
            Lv4yHnCVL6PeC52inLMr5hM1qP1rwoBXTLXULMnw5WpMhMyCDpAEqNkcI00Ro3Iw
            cDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIFoDATBgNVHSUEDDAKBggrBgEF
            BQcDATAaBgNVHREEEzARgg90bHMuZXhhbXBsZS5jb20wHwYDVR0jBBgwFoAULYfC
            adAwaOlWSH0719LxjZt2ezwwCgYIKoZIzj0EAwIDSAAwRQIhAKneIsmPCG3qAg+A
            39OKUcfnDuMXLMjqOf/rNNBABIgZAiBWRlxjAcgTVtFKifq3BVNn17n/SHXw+QxX
            TYXGk+i3Xg==
            -----END CERTIFICATE-----
            """, key: """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgz5LatRpK+0DQ9NVn
            76Po8BR6KooSJejooQ/SGwAk8yOhRANCAARxmj7PS3U0Byu+/AZc+fsh2adyLv4y
            HnCVL6PeC52inLMr5hM1qP1rwoBXTLXULMnw5WpMhMyCDpAEqNkcI00R
            -----END PRIVATE KEY-----
            """),
    ]

    /// CA certificates by ConfigMap name (`ca.crt`).
    package static let authorities: [String: String] = [
        "web-backend-cm": """
            -----BEGIN CERTIFICATE-----
            MIIBwjCCAWigAwIBAgIUJD8JgZc8biRGTuGCaCW23Lh2NiAwCgYIKoZIzj0EAwIw
            PjEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xFzAVBgNVBAMM
            DndlYi1iYWNrZW5kLWNtMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAw
            WjA+MSMwIQYDVQQKDBpnd3NpbSBjb25mb3JtYW5jZSBzdGFuZC1pbjEXMBUGA1UE
            AwwOd2ViLWJhY2tlbmQtY20wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASTHwzq
            xJQ/0vAXRm7a8Zy3l4slcPfDluwm2OSKtRSxTHPMfBKrJg06Q49ZhjBXV+C9Bdat
            jccUfVNT00ERZ/mSo0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIB
            hjAdBgNVHQ4EFgQUgdjg1/5hYbQ6gHBbbp6O3OJV9cIwCgYIKoZIzj0EAwIDSAAw
            RQIhAK3OyBXL/lgjufceykaBIFhBtlIp5vOPcN3ag8VSPPbOAiAvuqYneZY4fXGw
            Y11D8IpeOOWdnrj7fqo6GfRNJLqApA==
            -----END CERTIFICATE-----
            """,
        "tls-validity-checks-ca-certificate": """
            -----BEGIN CERTIFICATE-----
            MIIB6jCCAZCgAwIBAgIUcBxJfruZiyXLcjU1Xk3l2IA2xFYwCgYIKoZIzj0EAwIw
            UjEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xKzApBgNVBAMM
            InRscy12YWxpZGl0eS1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAw
            MDAwWhgPMjEyMDAxMDEwMDAwMDBaMFIxIzAhBgNVBAoMGmd3c2ltIGNvbmZvcm1h
            bmNlIHN0YW5kLWluMSswKQYDVQQDDCJ0bHMtdmFsaWRpdHktY2hlY2tzLWNhLWNl
            cnRpZmljYXRlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUJK2A0Fl1EqU6S05
            L7WHWu2hBqy3x05lw/k9JoYoYj/PkzZR5+FO1xUu61aJzQZ+95Gtlt+KPOTuifFb
            CMrUBaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwHQYDVR0O
            BBYEFECoj+m2r/3y6uTihmQsOAHP6rSBMAoGCCqGSM49BAMCA0gAMEUCIQCwBjLk
            jb2wjDaXLoqTy8uJ2op/tG1JSBYtGVxo3tiLmAIgbNpRVa+HWQ+0Xrqo8VG+Vqsw
            vj+DNMdCxHQBBA4uFaE=
            -----END CERTIFICATE-----
            """,
        "tls-validity-checks-per-port-ca-certificate": """
            -----BEGIN CERTIFICATE-----
            MIIB/DCCAaKgAwIBAgIUR5pV33yzqYwqGjHft+VE/C7yTm8wCgYIKoZIzj0EAwIw
            WzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xNDAyBgNVBAMM
            K3Rscy12YWxpZGl0eS1jaGVja3MtcGVyLXBvcnQtY2EtY2VydGlmaWNhdGUwIBcN
            MjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMFsxIzAhBgNVBAoMGmd3c2lt
            IGNvbmZvcm1hbmNlIHN0YW5kLWluMTQwMgYDVQQDDCt0bHMtdmFsaWRpdHktY2hl
            Y2tzLXBlci1wb3J0LWNhLWNlcnRpZmljYXRlMFkwEwYHKoZIzj0CAQYIKoZIzj0D
            AQcDQgAEgnN6uc/Zi1fnbQi3AkqIdEpKxM80VhkeXUZGVXDww0O5ZTMsDJXWfQt8
            9iAxNhsfEMB1aRxHqJ9p2+GXzpmngKNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNV
            HQ8BAf8EBAMCAYYwHQYDVR0OBBYEFJQ+UnhkeCnrQolJXfdFsto6kMf8MAoGCCqG
            SM49BAMCA0gAMEUCIG/SWDG5DEE2Nmpv5ETkidFuo+0KEpXB+oi65pKgxI6aAiEA
            5wEDJ0zK4EbCoq77JfbQ0pfc6sc12sr1+jslqnuzlj0=
            -----END CERTIFICATE-----
            """,
        "tls-checks-ca-certificate": """
            -----BEGIN CERTIFICATE-----
            MIIB1zCCAX6gAwIBAgIUUjStqqL/4I6YsnHAwWh1PK79lYkwCgYIKoZIzj0EAwIw
            STEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIjAgBgNVBAMM
            GXRscy1jaGVja3MtY2EtY2VydGlmaWNhdGUwIBcNMjAwMTAxMDAwMDAwWhgPMjEy
            MDAxMDEwMDAwMDBaMEkxIzAhBgNVBAoMGmd3c2ltIGNvbmZvcm1hbmNlIHN0YW5k
            LWluMSIwIAYDVQQDDBl0bHMtY2hlY2tzLWNhLWNlcnRpZmljYXRlMFkwEwYHKoZI
            zj0CAQYIKoZIzj0DAQcDQgAE7a55p+vfigrVcID1JOYD4ZYZl0tgBlasYGlSwMjg
            HHvo3w9ihtiVHRIlzD+s9tm+QcMiRVzVxrLDQad7FHtgMqNCMEAwDwYDVR0TAQH/
            BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwHQYDVR0OBBYEFC2HwmnQMGjpVkh9O9fS
            8Y2bdns8MAoGCCqGSM49BAMCA0cAMEQCIEXTKauTfbn129p205cdiXh/Gkb7dskd
            ndcssyJeQIbgAiAtz7Go4l6QglIE05Bw6nvFkfwUGBe8IlgPCGdpkzTo2Q==
            -----END CERTIFICATE-----
            """,
        "mismatch-ca-certificate": """
            -----BEGIN CERTIFICATE-----
            MIIB1TCCAXqgAwIBAgIULMkY6928yJOYckvdEgQZEkV7fo0wCgYIKoZIzj0EAwIw
            RzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xIDAeBgNVBAMM
            F21pc21hdGNoLWNhLWNlcnRpZmljYXRlMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAw
            MTAxMDAwMDAwWjBHMSMwIQYDVQQKDBpnd3NpbSBjb25mb3JtYW5jZSBzdGFuZC1p
            bjEgMB4GA1UEAwwXbWlzbWF0Y2gtY2EtY2VydGlmaWNhdGUwWTATBgcqhkjOPQIB
            BggqhkjOPQMBBwNCAATHMPuQnRq8pJMMCp0fXKvLiBk5J/3I/MmqtcgncKfazbsr
            zhTuZO6c7YGDpKQyCnCExYlvuMN+yJahwdv6VlYio0IwQDAPBgNVHRMBAf8EBTAD
            AQH/MA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQU7mTrOhm9Eu9D1JvPqRKdwp98
            adswCgYIKoZIzj0EAwIDSQAwRgIhAPjlSCcKLQX7vd1YqUWyDYBinzsfozHIOQeU
            X4fMQL9xAiEAvC2AZ7uJDc7cedoTlMLaogM4QrWrNzmPrWqRPuP1JTs=
            -----END CERTIFICATE-----
            """,
    ]

    /// The CA of the two serving certificates upstream makes self-signed (in no ConfigMap).
    package static let standInRoot = """
        -----BEGIN CERTIFICATE-----
        MIIBzDCCAXKgAwIBAgIUcUwSpPgftDNRpolJ7ifVzi2P5U4wCgYIKoZIzj0EAwIw
        QzEjMCEGA1UECgwaZ3dzaW0gY29uZm9ybWFuY2Ugc3RhbmQtaW4xHDAaBgNVBAMM
        E2d3c2ltLXN0YW5kLWluLXJvb3QwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEw
        MDAwMDBaMEMxIzAhBgNVBAoMGmd3c2ltIGNvbmZvcm1hbmNlIHN0YW5kLWluMRww
        GgYDVQQDDBNnd3NpbS1zdGFuZC1pbi1yb290MFkwEwYHKoZIzj0CAQYIKoZIzj0D
        AQcDQgAEJaCRRyEb0NyBpzNP8AkF3dSEta3w4qUh4pj9pHfgGIHrHVnRzMbiQdbx
        GzyKpc3G5vnT4eOsKx0f2mN5t6c4t6NCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNV
        HQ8BAf8EBAMCAYYwHQYDVR0OBBYEFJS2PNwRe0pv+flPzHOUdaFy2eBDMAoGCCqG
        SM49BAMCA0gAMEUCIBuQNsJ3Wrar7L/TY2XBgA0G1w2+68QfUTaQjHDtMN9SAiEA
        5QCo4//Uc6Jm9+yeXodXbx+nib1wrIENqUxyG+OV5sk=
        -----END CERTIFICATE-----
        """

    /// Every certificate a client of the suite's listeners may be asked to trust: the
    /// stand-in root and the CAs (upstream's client trusts the one it is given).
    package static var trustRoots: [String] { [standInRoot] + authorities.keys.sorted().map { authorities[$0]! } }
}
