package dev.batchvault.setup;

import java.time.Duration;
import java.time.Instant;

/** Step 7: a certificate key credential of the application, as Graph lists it. Immutable. */
public final class RegisteredCertificate {
    private final String thumbprint;
    private final String displayName;
    private final Instant validFrom;
    private final Instant validUntil;

    RegisteredCertificate(String thumbprint, String displayName, Instant validFrom, Instant validUntil) {
        this.thumbprint = thumbprint;
        this.displayName = displayName;
        this.validFrom = validFrom;
        this.validUntil = validUntil;
    }

    /** @return the SHA-1 thumbprint (40 upper-case hex digits), or null if Graph gave neither key nor identifier */
    public String thumbprint() {
        return thumbprint;
    }

    /** @return the credential's display name, or null */
    public String displayName() {
        return displayName;
    }

    /** @return the credential's start ({@code startDateTime}), or null */
    public Instant validFrom() {
        return validFrom;
    }

    /** @return the credential's end ({@code endDateTime}), or null */
    public Instant validUntil() {
        return validUntil;
    }

    /**
     * @param now the current instant
     * @param margin how long before the end counts as expiring
     * @return true if the credential ends before {@code now + margin}
     */
    public boolean expiresWithin(Instant now, Duration margin) {
        return validUntil != null && validUntil.isBefore(now.plus(margin));
    }

    @Override
    public String toString() {
        return "certificate " + thumbprint + " (" + displayName + ") valid " + validFrom + " .. " + validUntil;
    }
}
