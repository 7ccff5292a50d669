package io.idemgate.gateway.tls;

import io.idemgate.gateway.config.GatewayConfig;
import io.idemgate.gateway.config.RouteConfig;
import io.idemgate.gateway.config.TlsFiles;
import io.idemgate.gateway.config.UpstreamTlsConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every certificate, key and CA file the config names and says what is wrong with each, by config
 * key: run by {@code --check-config} and before the gateway starts, so a bad file is one clear message
 * rather than failed handshakes later.
 */
public final class TlsCheck {

    private TlsCheck() {
    }

    /** @return one line per unusable file; empty when all are fine (or none is configured) */
    public static List<String> problems(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        check(config.server().tls(), problems);
        check(config.admin().tls(), problems);
        for (RouteConfig route : config.routes()) {
            UpstreamTlsConfig tls = route.upstream().tls();
            check(tls.clientCert(), problems);
            if (tls.ca() != null) {
                try {
                    PemFiles.certificates(tls.keyPath() + ".ca", tls.ca());
                } catch (TlsFileException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    private static void check(TlsFiles files, List<String> problems) {
        if (files == null) {
            return;
        }
        try {
            PemFiles.read(files);
        } catch (TlsFileException e) {
            problems.add(e.getMessage());
        }
    }
}
