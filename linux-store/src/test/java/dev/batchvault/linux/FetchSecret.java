package dev.batchvault.linux;

import dev.batchvault.BatchVault;

/** A task in its own JVM: prints one secret's value, configured only by its environment. */
public final class FetchSecret {
    private FetchSecret() {
    }

    public static void main(String[] args) {
        System.out.println(BatchVault.secret(args[0]));
    }
}
