package dev.batchvault.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * The emulator's access tokens: issued by the token endpoint (and by any route that issues tokens)
 * and verified by the routes that accept them, with one signing key. What a refusal says is the
 * accepting service's own business ({@link Refusal}); which checks are made is decided here.
 */
final class AccessTokens {
    /** Clock skew allowed on {@code exp} and {@code nbf}, as Azure's services allow. */
    static final long SKEW_SECONDS = 300;

    private final KeyPair keys;
    private final String keyId;

    AccessTokens(KeyPair keys) {
        this.keys = keys;
        this.keyId = Jwt.base64Url(SelfSignedCertificate.digest("SHA-1", keys.getPublic().getEncoded()));
    }

    /** @return the {@code kid} of the signing key: base64url SHA-1 of the encoded public key */
    String keyId() {
        return keyId;
    }

    /** @return the signing keys, for the JWKS document */
    KeyPair keys() {
        return keys;
    }

    /**
     * Signs an access token as Entra ID issues one for an application (v1 token, as Key Vault gets).
     *
     * @param tenantId the tenant, for {@code iss} and {@code tid}
     * @param app the application, for {@code appid} and {@code oid}
     * @param audience the resource, such as {@code https://vault.azure.net}
     * @param issuedAt {@code iat} and {@code nbf}, epoch seconds
     * @param expires {@code exp}, epoch seconds
     * @return the compact JWS
     */
    String issue(String tenantId, Application app, String audience, long issuedAt, long expires) {
        return issue(tenantId, app.clientId(), app.principalObjectId(), null, audience, issuedAt, expires);
    }

    /**
     * Signs an access token for a managed identity, as Entra ID issues one through IMDS: an application's
     * claims with {@code appid} the identity's client id, {@code oid} its principal id, and {@code xms_mirid}
     * its resource id.
     *
     * @param identity the identity, in its tenant
     * @param audience the resource
     * @param issuedAt {@code iat} and {@code nbf}, epoch seconds
     * @param expires {@code exp}, epoch seconds
     * @return the compact JWS
     */
    String issue(ManagedIdentity identity, String audience, long issuedAt, long expires) {
        return issue(identity.tenantId(), identity.clientId(), identity.principalId(), identity.resourceId(), audience,
                issuedAt, expires);
    }

    private String issue(String tenantId, String clientId, String principalId, String miResourceId, String audience,
            long issuedAt, long expires) {
        ObjectNode header = Jwt.JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.put("kid", keyId);
        ObjectNode claims = Jwt.JSON.createObjectNode();
        claims.put("aud", audience);
        claims.put("iss", issuer(tenantId));
        claims.put("iat", issuedAt);
        claims.put("nbf", issuedAt);
        claims.put("exp", expires);
        claims.put("aio", "emulator");
        claims.put("appid", clientId);
        claims.put("appidacr", "2");
        claims.put("idp", issuer(tenantId));
        claims.put("idtyp", "app");
        claims.put("oid", principalId);
        claims.put("sub", principalId);
        claims.put("tid", tenantId);
        claims.put("uti", UUID.randomUUID().toString().replace("-", ""));
        claims.put("ver", "1.0");
        if (miResourceId != null) {
            claims.put("xms_mirid", miResourceId);
        }
        return Jwt.sign(header, claims, keys.getPrivate());
    }

    /** @return the v1 issuer of a tenant's tokens, {@code https://sts.windows.net/<tenant>/} */
    static String issuer(String tenantId) {
        return "https://sts.windows.net/" + tenantId + "/";
    }

    /**
     * Checks a request's {@code Authorization} header as a resource checks its bearer token, in this
     * order: a bearer token, a JWS, signed by the emulator's key, not expired, already valid, for
     * this resource ({@code aud} with or without a trailing slash), issued by this tenant.
     *
     * @param authorization the header, or null
     * @param resource the accepting service's resource, such as {@code https://vault.azure.net}
     * @param tenantId the tenant whose tokens it accepts
     * @return the verified token, or why it is refused
     */
    Verdict verify(String authorization, String resource, String tenantId) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Verdict.refused(Refusal.MISSING, null);
        }
        String raw = authorization.substring(7).trim();
        Jwt token;
        try {
            token = Jwt.parse(raw);
        } catch (IllegalArgumentException e) {
            return Verdict.refused(Refusal.NOT_A_JWT, null);
        }
        String encodedHeader = raw.substring(0, raw.indexOf('.'));
        if (!keyId.equals(token.header.path("kid").asText(null)) || !token.verifies(keys.getPublic())) {
            return Verdict.refused(Refusal.UNKNOWN_KEY, encodedHeader);
        }
        long now = Instant.now().getEpochSecond();
        Long exp = token.seconds("exp");
        if (exp == null || exp + SKEW_SECONDS < now) {
            return Verdict.refused(Refusal.EXPIRED, null);
        }
        Long nbf = token.seconds("nbf");
        if (nbf != null && nbf - SKEW_SECONDS > now) {
            return Verdict.refused(Refusal.NOT_YET_VALID, null);
        }
        String aud = token.text("aud");
        if (aud == null || !(aud.equals(resource) || aud.equals(resource + "/"))) {
            return Verdict.refused(Refusal.WRONG_AUDIENCE, aud);
        }
        String iss = token.text("iss");
        if (!tenantId.equalsIgnoreCase(token.text("tid")) || !issuer(tenantId).equalsIgnoreCase(iss)) {
            return Verdict.refused(Refusal.WRONG_ISSUER, iss);
        }
        return new Verdict(token, null, null);
    }

    /** Why a bearer token is refused. */
    enum Refusal {
        /** No {@code Authorization: Bearer} header. */
        MISSING,
        /** The bearer token is not a compact JWS. */
        NOT_A_JWT,
        /** Not signed by the emulator's key (detail: the encoded JWS header). */
        UNKNOWN_KEY,
        /** {@code exp} missing or past, beyond the skew. */
        EXPIRED,
        /** {@code nbf} in the future, beyond the skew. */
        NOT_YET_VALID,
        /** {@code aud} is another resource (detail: the audience found, or null). */
        WRONG_AUDIENCE,
        /** {@code iss} or {@code tid} is another tenant (detail: the issuer found, or null). */
        WRONG_ISSUER;

        /** @return the lower-case name, for messages */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** A verified token, or a refusal with its detail (never the token itself). */
    static final class Verdict {
        final Jwt token;
        final Refusal refusal;
        final String detail;

        private Verdict(Jwt token, Refusal refusal, String detail) {
            this.token = token;
            this.refusal = refusal;
            this.detail = detail;
        }

        static Verdict refused(Refusal refusal, String detail) {
            return new Verdict(null, refusal, detail);
        }

        boolean accepted() {
            return token != null;
        }
    }
}
