package dev.batchvault.internal;

import static dev.batchvault.internal.CertificateErrors.corrupt;

import dev.batchvault.CertificateUnusableException;
import dev.batchvault.CertificateUnusableException.Reason;
import dev.batchvault.spi.PoolCertificate;
import dev.batchvault.spi.Thumbprint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM text: private keys ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY}) and certificates, as
 * the Key Vault VM extension writes them. Every failure is a {@link CertificateUnusableException}
 * naming the file.
 */
final class PemReader {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemReader() {
    }

    /** See {@link CertificateFiles#parsePem(byte[], String, Thumbprint)}. */
    static PoolCertificate parse(byte[] content, String location, Thumbprint wanted) {
        try {
            return pem(content, location, wanted);
        } catch (CertificateUnusableException e) {
            throw e;
        } catch (RuntimeException e) {
            // A malformed block can make a JCA provider fail in ways it does not declare.
            throw corrupt(location, "a PEM block in it cannot be decoded (" + e.getClass().getSimpleName()
                    + "); the file may be truncated", e);
        }
    }

    private static PoolCertificate pem(byte[] content, String location, Thumbprint wanted) {
        String text = new String(content, StandardCharsets.US_ASCII);
        List<X509Certificate> certificates = new ArrayList<>();
        List<PrivateKey> keys = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        try {
            while (m.find()) {
                String type = m.group(1);
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                try {
                    switch (type) {
                        case "CERTIFICATE":
                            certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
                                    .generateCertificate(new ByteArrayInputStream(der)));
                            break;
                        case "PRIVATE KEY":
                            keys.add(pkcs8Key(der, location));
                            break;
                        case "RSA PRIVATE KEY":
                            keys.add(pkcs8Key(pkcs1ToPkcs8(der), location));
                            break;
                        case "ENCRYPTED PRIVATE KEY":
                            throw corrupt(location, "its private key is encrypted; BatchVault reads unencrypted PEM keys "
                                    + "(as the Key Vault VM extension writes them) or a PKCS#12 file with a password file", null);
                        default:
                            break;
                    }
                } finally {
                    Arrays.fill(der, (byte) 0);
                }
            }
        } catch (IllegalArgumentException | CertificateException e) {
            throw corrupt(location, "a PEM block in it cannot be decoded; the file may be truncated", e);
        }
        if (certificates.isEmpty()) {
            throw corrupt(location, keys.isEmpty() ? "it holds no PEM certificate or key; it may be truncated"
                    : "it holds a private key but no certificate", null);
        }
        if (keys.isEmpty()) {
            throw new CertificateUnusableException(Reason.NO_PRIVATE_KEY, location, "The PEM file " + location
                    + " holds a certificate but no private key. The pool needs the certificate with its key: "
                    + "a PEM with a PRIVATE KEY block, or a .pfx.", null);
        }
        X509Certificate leaf = null;
        if (wanted != null) {
            for (X509Certificate c : certificates) {
                if (wanted.equals(Thumbprint.of(c))) {
                    leaf = c;
                    break;
                }
            }
        }
        return KeyPairing.checked(certificates, keys, leaf, location);
    }

    /**
     * The thumbprints of the certificates in PEM text, without parsing them: enough to decide
     * whether a file can hold the certificate wanted before reading its key.
     *
     * @param content file content
     * @return the SHA-1 thumbprint of each CERTIFICATE block, in file order; empty when none
     */
    static List<Thumbprint> thumbprints(byte[] content) {
        if (!looksLikePem(content)) {
            return List.of();
        }
        List<Thumbprint> found = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(new String(content, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                try {
                    found.add(Thumbprint.ofDer(Base64.getMimeDecoder().decode(m.group(2))));
                } catch (IllegalArgumentException e) {
                    // not base64: the full parse reports it if this file is chosen
                }
            }
        }
        return found;
    }

    private static PrivateKey pkcs8Key(byte[] der, String location) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw corrupt(location, "its private key is neither an RSA nor an EC key in PKCS#8 form", null);
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01,
            0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(derHeader(0x04, pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(derHeader(0x30, body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derHeader(int tag, int length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
        byte[] header = new byte[2 + bytes];
        header[0] = (byte) tag;
        header[1] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            header[2 + i] = (byte) (length >> (8 * (bytes - 1 - i)));
        }
        return header;
    }

    static boolean looksLikePem(byte[] content) {
        String head = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII);
        return head.contains("-----BEGIN ");
    }
}
