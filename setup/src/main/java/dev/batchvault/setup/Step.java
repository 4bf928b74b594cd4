package dev.batchvault.setup;

/** The set-up steps, numbered as in the module README. */
public enum Step {
    /** Step 1: the self-signed certificate. */
    CERTIFICATE(1, "certificate"),
    /** Step 2: the application with the certificate as a key credential. */
    APPLICATION(2, "application"),
    /** Step 2: the application's service principal, the identity the vault grants. */
    SERVICE_PRINCIPAL(2, "service principal"),
    /** Step 5 (today's way): the pool's user-assigned managed identity. */
    IDENTITY(5, "user-assigned identity"),
    /** Step 5 (today's way): the pool with the identity and the Key Vault VM extension. */
    POOL(5, "pool"),
    /** Step 3: secrets {@code get} on the vault, by access policy or role assignment. */
    VAULT_ACCESS(3, "vault access"),
    /** Step 4 (retired 2024-02-29): the {@code .pfx} as a Batch account certificate {@code sha1-<thumbprint>}. */
    ACCOUNT_CERTIFICATE(4, "account certificate"),
    /** Step 4 (retired 2024-02-29): the pool's reference to it (LocalMachine, My, the chosen visibility). */
    POOL_CERTIFICATE(4, "pool certificate reference");

    private final int number;
    private final String title;

    Step(int number, String title) {
        this.number = number;
        this.title = title;
    }

    /** @return the step's number in the seed's order */
    public int number() {
        return number;
    }

    /** @return the step's name in words */
    public String title() {
        return title;
    }

    @Override
    public String toString() {
        return "step " + number + " (" + title + ")";
    }
}
