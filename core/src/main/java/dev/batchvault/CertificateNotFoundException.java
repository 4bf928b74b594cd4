package dev.batchvault;

import java.util.List;

/**
 * No certificate source found the configured certificate. The message lists every location
 * searched and what was there.
 */
public final class CertificateNotFoundException extends BatchVaultException {
    private static final long serialVersionUID = 1L;
    /** The places that were searched. */
    @SuppressWarnings("serial") // List.copyOf makes a serializable list
    private final List<String> searched;

    /**
     * @param message what was looked for and what to do
     * @param searched every location searched, each with what was found there
     */
    public CertificateNotFoundException(String message, List<String> searched) {
        super(message, null);
        this.searched = List.copyOf(searched);
    }

    /** @return every location searched, each with what was found there */
    public List<String> searched() {
        return searched;
    }
}
