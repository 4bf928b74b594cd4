package dev.batchvault.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** A compact JWS (RS256): parsed, verified and made. */
final class Jwt {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    final ObjectNode header;
    final ObjectNode claims;
    private final byte[] signingInput;
    private final byte[] signature;

    private Jwt(ObjectNode header, ObjectNode claims, byte[] signingInput, byte[] signature) {
        this.header = header;
        this.claims = claims;
        this.signingInput = signingInput;
        this.signature = signature;
    }

    /** @throws IllegalArgumentException if it is not three base64url parts with JSON objects */
    static Jwt parse(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a JWS has 3 parts, this has " + parts.length);
        }
        try {
            ObjectNode header = (ObjectNode) JSON.readTree(DECODER.decode(parts[0]));
            ObjectNode claims = (ObjectNode) JSON.readTree(DECODER.decode(parts[1]));
            byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            return new Jwt(header, claims, input, DECODER.decode(parts[2]));
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalArgumentException("header or claims are not JSON objects", e);
        }
    }

    boolean verifies(PublicKey key) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    String text(String claim) {
        return claims.hasNonNull(claim) ? claims.get(claim).asText() : null;
    }

    /** @return a numeric date claim in epoch seconds, or null if it is absent */
    Long seconds(String claim) {
        return claims.hasNonNull(claim) ? claims.get(claim).asLong() : null;
    }

    static String sign(ObjectNode header, ObjectNode claims, PrivateKey key) {
        try {
            String input = ENCODER.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + ENCODER.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + ENCODER.encodeToString(signer.sign());
        } catch (GeneralSecurityException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String base64Url(byte[] data) {
        return ENCODER.encodeToString(data);
    }
}
