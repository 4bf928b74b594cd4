/**
 * The set-up BatchVault needs, as Java calls on the Azure management libraries: step 1, a
 * self-signed certificate ({@link dev.batchvault.setup.GeneratedCertificate}); step 2, the application
 * with the certificate and its service principal; step 3, secrets {@code get} on the vault by access
 * policy or role; step 4, the Batch account certificate and the pool's reference (retired by Batch);
 * step 5, the user-assigned identity and the pool with the Key Vault VM extension;
 * step 6, the task settings; step 7, the application's certificates and their expiry.
 * {@link dev.batchvault.setup.BatchVaultSetup} runs steps 2 to 5 with {@code plan()} and
 * {@code apply()}; every step is safe to run again and reports created, updated or unchanged.
 */
package dev.batchvault.setup;
