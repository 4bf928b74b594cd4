package dev.batchvault.spi;

/**
 * Text that is not a SHA-1 thumbprint. The message names the input, says what is wrong (the
 * character and its position, or the number of digits) and what a thumbprint looks like.
 */
public final class InvalidThumbprintException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and what a thumbprint looks like */
    public InvalidThumbprintException(String message) {
        super(message);
    }
}
