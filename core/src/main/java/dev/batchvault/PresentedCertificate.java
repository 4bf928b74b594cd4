package dev.batchvault;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * After a TLS trust failure: which certificate the host presented, for the message. The JDK's
 * exception does not carry it, so a second handshake reads it. That handshake trusts anything
 * because it only looks: the socket is closed right after it, and no request (no token) is ever
 * sent on it.
 */
final class PresentedCertificate {
    private PresentedCertificate() {
    }

    /** @return whether the failure is a refused server certificate (unknown issuer, name mismatch, expired) */
    static boolean isTrustFailure(Throwable failure) {
        boolean handshake = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            handshake |= t instanceof SSLHandshakeException;
            if (handshake && t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param host the host
     * @param port the port
     * @param timeout connect and handshake timeout
     * @return the issuer's distinguished name of the certificate the host presents, or {@code null}
     */
    static String issuer(String host, int port, Duration timeout) {
        try {
            SSLContext lookOnly = SSLContext.getInstance("TLS");
            lookOnly.init(null, new TrustManager[] {new LookOnly()}, null);
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(host, port), millis);
                plain.setSoTimeout(millis);
                try (SSLSocket tls = (SSLSocket) lookOnly.getSocketFactory().createSocket(plain, host, port, false)) {
                    tls.startHandshake();
                    Certificate[] chain = tls.getSession().getPeerCertificates();
                    return chain.length == 0 || !(chain[0] instanceof X509Certificate) ? null
                            : ((X509Certificate) chain[0]).getIssuerX500Principal().getName();
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    /** Accepts any server certificate: used only to read it, never to send anything. */
    private static final class LookOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // looked at only
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
