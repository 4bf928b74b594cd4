package dev.batchvault.examples;

import dev.batchvault.BatchVault;
import dev.batchvault.BatchVaultException;

/**
 * A Batch task as a user writes it: one line reads the admin password. Everything else comes from the
 * environment the pool or job sets: {@code BATCHVAULT_VAULT_URL}, and either the pool's managed identity
 * ({@code BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID} or {@code AZURE_CLIENT_ID}) or a certificate
 * ({@code BATCHVAULT_TENANT_ID}, {@code BATCHVAULT_CLIENT_ID}, {@code BATCHVAULT_CERTIFICATE_THUMBPRINT} or
 * {@code BATCHVAULT_CERTIFICATE_PATH}).
 */
public final class BatchTask {
    private BatchTask() {
    }

    /**
     * Prints the secret masked, or the library's explanation of what went wrong.
     *
     * @param args the secret's name, {@code batchAdminPass} when absent
     */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "batchAdminPass";
        try {
            String password = BatchVault.secret(name);
            System.out.println("task: read " + name + " = " + mask(password) + " (" + password.length() + " characters)");
        } catch (BatchVaultException e) {
            System.err.println("task: cannot read " + name + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(2);
        }
    }

    /** Shows the first two characters only, as a log line may. */
    static String mask(String value) {
        return value.length() <= 4 ? "****" : value.substring(0, 2) + "*".repeat(value.length() - 2);
    }
}
