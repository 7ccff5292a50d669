package io.idemgate.gateway.tls;

/** A certificate, key or CA file that cannot be used; the message names the config key and the file. */
public final class TlsFileException extends Exception {

    public TlsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
