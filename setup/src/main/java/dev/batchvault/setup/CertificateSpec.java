package dev.batchvault.setup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * What step 1 makes: a self-signed certificate's subject, RSA key size and validity, as
 * {@code makecert -r -pe -n "CN=..." -sky exchange -len 2048 -b ... -e ...} took them.
 *
 * <pre>{@code
 * CertificateSpec spec = CertificateSpec.builder().subject("CN=batchvault-pool").build(); // one year from now
 * }</pre>
 *
 * <p>Immutable. The validity is checked at {@link Builder#build()}: an end not after the start is
 * refused; a validity under {@value #SHORT_VALIDITY_DAYS} days is allowed and reported as a warning.
 */
public final class CertificateSpec {
    /** A validity shorter than this many days is reported as a warning. */
    public static final int SHORT_VALIDITY_DAYS = 30;

    private final X500Principal subject;
    private final int keySize;
    private final Instant validFrom;
    private final Instant validUntil;

    private CertificateSpec(Builder b) {
        this.subject = b.subject;
        this.keySize = b.keySize;
        this.validFrom = b.validFrom;
        this.validUntil = b.validUntil;
    }

    /** @return a builder: subject {@code CN=batchvault}, RSA 2048, valid one year from now */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the subject (and issuer) distinguished name */
    public X500Principal subject() {
        return subject;
    }

    /** @return the RSA modulus length in bits: 2048, 3072 or 4096 */
    public int keySize() {
        return keySize;
    }

    /** @return the start of validity (notBefore), to the second */
    public Instant validFrom() {
        return validFrom;
    }

    /** @return the end of validity (notAfter), to the second */
    public Instant validUntil() {
        return validUntil;
    }

    /** @return true if the validity is shorter than {@value #SHORT_VALIDITY_DAYS} days */
    public boolean shortValidity() {
        return Duration.between(validFrom, validUntil).compareTo(Duration.ofDays(SHORT_VALIDITY_DAYS)) < 0;
    }

    @Override
    public String toString() {
        return "CertificateSpec{" + subject.getName() + ", RSA " + keySize + ", " + validFrom + " .. " + validUntil + "}";
    }

    /** Builds a {@link CertificateSpec}; each setter checks its argument at once. */
    public static final class Builder {
        private X500Principal subject = new X500Principal("CN=batchvault");
        private int keySize = 2048;
        private Instant validFrom;
        private Instant validUntil;
        private Duration validity;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * @param distinguishedName an RFC 2253 name such as {@code CN=batchvault-pool,O=Contoso}
         * @return this builder
         * @throws IllegalArgumentException if it is not a distinguished name
         */
        public Builder subject(String distinguishedName) {
            Objects.requireNonNull(distinguishedName, "subject == null");
            try {
                this.subject = new X500Principal(distinguishedName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("subject '" + distinguishedName + "' is not a distinguished name "
                        + "(write it as CN=name,O=organisation): " + e.getMessage(), e);
            }
            if (subject.getName().isEmpty()) {
                throw new IllegalArgumentException("subject is empty; give at least CN=<name>");
            }
            return this;
        }

        /**
         * @param bits 2048, 3072 or 4096
         * @return this builder
         * @throws IllegalArgumentException for any other size
         */
        public Builder keySize(int bits) {
            if (bits != 2048 && bits != 3072 && bits != 4096) {
                throw new IllegalArgumentException("keySize " + bits + " is not allowed; use 2048, 3072 or 4096");
            }
            this.keySize = bits;
            return this;
        }

        /**
         * @param start the start of validity; default now
         * @return this builder
         */
        public Builder validFrom(Instant start) {
            this.validFrom = Objects.requireNonNull(start, "validFrom == null");
            return this;
        }

        /**
         * @param end the end of validity; default one year after the start
         * @return this builder
         */
        public Builder validUntil(Instant end) {
            this.validUntil = Objects.requireNonNull(end, "validUntil == null");
            this.validity = null;
            return this;
        }

        /**
         * @param length the validity from the start, instead of an end
         * @return this builder
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder validFor(Duration length) {
            Objects.requireNonNull(length, "validFor == null");
            if (length.isZero() || length.isNegative()) {
                throw new IllegalArgumentException("validFor " + length + " is not positive");
            }
            this.validity = length;
            this.validUntil = null;
            return this;
        }

        /**
         * @param clock where "now" comes from, for the default start
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock == null");
            return this;
        }

        /**
         * @return the spec
         * @throws IllegalArgumentException if the end is not after the start
         */
        public CertificateSpec build() {
            Instant start = (validFrom != null ? validFrom : clock.instant()).truncatedTo(ChronoUnit.SECONDS);
            Instant end;
            if (validUntil != null) {
                end = validUntil.truncatedTo(ChronoUnit.SECONDS);
            } else if (validity != null) {
                end = start.plus(validity).truncatedTo(ChronoUnit.SECONDS);
            } else {
                end = start.atZone(java.time.ZoneOffset.UTC).plusYears(1).toInstant();
            }
            if (!end.isAfter(start)) {
                throw new IllegalArgumentException("validUntil " + end + " is not after validFrom " + start
                        + "; give an end after the start (default: one year after it)");
            }
            Builder copy = new Builder();
            copy.subject = subject;
            copy.keySize = keySize;
            copy.validFrom = start;
            copy.validUntil = end;
            return new CertificateSpec(copy);
        }
    }
}
