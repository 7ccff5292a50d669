package io.idemgate.gateway.testsupport;

import static io.idemgate.gateway.testsupport.FreePorts.freePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's) in the foreground, on loopback, with a config made of the given {@code server}
 * blocks; its temp files, pid and error log live in the test's directory. Stopped by {@link #close}.
 */
public final class Nginx implements AutoCloseable {

    private final Process process;
    private final Path dir;

    private Nginx(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /**
     * @param servers {@code server { ... }} blocks; they must listen on the ports they are given
     * @param ports the ports those blocks listen on, waited for before returning
     */
    public static Nginx start(Path dir, String servers, int... ports) throws IOException, InterruptedException {
        Path temp = Files.createDirectories(dir.resolve("nginx-temp"));
        temp.toFile().setWritable(true, false);
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                %2$s
                }
                """.formatted(temp, servers));
        String binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
        Process p = new ProcessBuilder(binary, "-p", temp.toString(), "-c", conf.toString(), "-e", temp + "/nginx-error.log")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        Nginx nginx = new Nginx(p, dir);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int port : ports) {
            while (!listening(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    nginx.close();
                    throw new IOException("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                            + readIfExists(temp.resolve("nginx-error.log")));
                }
                Thread.sleep(20);
            }
        }
        return nginx;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
