package dev.batchvault;

/** A task's main, for tests that run it in a JVM of its own configured only by environment variables. */
public final class TaskMain {
    private TaskMain() {
    }

    /**
     * Prints the secret's length (never its value), or the error and exit code 2.
     *
     * @param args the secret's name
     */
    public static void main(String[] args) {
        try {
            String value = BatchVault.secret(args[0]);
            System.out.println("read " + args[0] + " (" + value.length() + " characters)");
        } catch (BatchVaultException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(2);
        }
    }
}
