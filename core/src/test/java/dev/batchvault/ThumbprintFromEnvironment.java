package dev.batchvault;

/**
 * A task's main, for {@link TaskEnvironmentTest}: says what the JVM read from the thumbprint's
 * environment variable, then builds the process-wide configuration and prints what came of it.
 */
public final class ThumbprintFromEnvironment {
    private ThumbprintFromEnvironment() {
    }

    public static void main(String[] args) {
        String raw = System.getenv("BATCHVAULT_CERTIFICATE_THUMBPRINT");
        System.out.println("read U+" + Integer.toHexString(raw.charAt(0)).toUpperCase() + " first, "
                + raw.length() + " characters");
        try {
            BatchVault.builder().build().close();
            System.out.println("built");
        } catch (BatchVaultException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
