package dev.batchvault.emulator;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Key pairs and X.509 certificates for the emulator's CA, its server and test clients. */
final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Pki() {
    }

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate selfSigned(KeyPair keys, String subject, Instant notBefore, Instant notAfter, boolean ca) {
        // Parsed as the JDK parses a distinguished name, so that "CN=a, O=b" reads back as "CN=a,O=b".
        X500Name name = X500Name.getInstance(new javax.security.auth.x500.X500Principal(subject).getEncoded());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(notBefore),
                Date.from(notAfter), name, keys.getPublic());
        try {
            if (ca) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            }
            return sign(builder, keys.getPrivate());
        } catch (org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate server(PublicKey serverKey, X509Certificate caCert, PrivateKey caKey) {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
                Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(30L * 24 * 3600)),
                new X500Name("CN=localhost"), serverKey);
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.2"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            return sign(builder, caKey);
        } catch (org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Escapes the characters RFC 4514 reserves in an attribute value. */
    static String escapeRdnValue(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (",+\"\\<>;=".indexOf(c) >= 0 || (i == 0 && (c == '#' || c == ' '))
                    || (i == value.length() - 1 && c == ' ')) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }
}
