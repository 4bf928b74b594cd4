package dev.batchvault.emulator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the emulator standalone from a seed file until the process is stopped, printing the
 * authority host, each vault's URL, the trust store and the settings a client uses (never a
 * secret value).
 */
public final class EmulatorMain {
    private EmulatorMain() {
    }

    /**
     * @param args the seed file's path
     * @throws InterruptedException if the waiting main thread is interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (args.length != 1) {
            err.println("usage: java -cp <classpath> " + EmulatorMain.class.getName() + " <seed.json>");
            System.exit(64);
        }
        AzureEmulator emulator = AzureEmulator.start();
        List<Seed.Grant> grants;
        try {
            grants = Seed.apply(emulator, Path.of(args[0]));
        } catch (IOException | RuntimeException e) {
            emulator.close();
            err.println("cannot start from " + args[0] + ": " + e.getMessage());
            System.exit(65);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "azure-emulator-shutdown"));
        out.print(describe(emulator, grants));
        out.flush();
        Thread.currentThread().join();
    }

    /**
     * What {@link #main} prints: never a secret value.
     *
     * @param emulator the running emulator
     * @param grants the access policies its seed gave by client id, to pick the client id shown
     * @return the summary, lines ending in {@code \n}
     */
    static String describe(AzureEmulator emulator, List<Seed.Grant> grants) {
        StringBuilder out = new StringBuilder();
        out.append("BatchVault Azure emulator\n");
        out.append("  Entra ID authority host: ").append(emulator.authorityHost()).append('\n');
        for (Tenant t : emulator.tenants()) {
            for (Application a : t.applications()) {
                out.append("  Application ").append(a.clientId()).append(" in tenant ").append(t.id())
                        .append(" (service principal ").append(a.principalObjectId()).append(", ")
                        .append(a.certificates().size()).append(" certificate(s))\n");
            }
        }
        for (Tenant t : emulator.tenants()) {
            for (ManagedIdentity m : t.userAssignedIdentities()) {
                out.append("  Managed identity ").append(m.name()).append(" in tenant ").append(t.id())
                        .append(" (client id ").append(m.clientId()).append(", principal id ").append(m.principalId())
                        .append(", resource id ").append(m.resourceId()).append(")\n");
            }
        }
        Imds imds = emulator.startedImds();
        if (imds != null) {
            out.append("  Node IMDS: ").append(imds.endpoint()).append(" (identities assigned: ")
                    .append(imds.assigned().stream().map(ManagedIdentity::name).toList()).append(")\n");
            if (!imds.faults().active().isEmpty()) {
                out.append("    injected faults: ").append(imds.faults().active()).append('\n');
            }
        }
        for (Vault v : emulator.vaults()) {
            out.append("  Vault ").append(v.name()).append(": ").append(v.url()).append(" (tenant ")
                    .append(v.tenantId()).append(", secrets ").append(v.secretNames()).append(")\n");
            if (!v.faults().isEmpty()) {
                out.append("    injected faults: ").append(v.faults()).append('\n');
            }
        }
        if (!emulator.tokenFaults().isEmpty()) {
            out.append("  Token endpoint injected faults: ").append(emulator.tokenFaults()).append('\n');
        }
        out.append("  Trust store: ").append(emulator.trustStore()).append(" (PKCS12, password ")
                .append(emulator.trustStorePassword()).append(")\n\n");
        String management = emulator.managementSummary();
        if (!management.isEmpty()) {
            out.append(management.replaceAll("(?m)^", "  "));
        }
        List<Vault> all = emulator.vaults();
        if (all.isEmpty()) {
            out.append("No vault in the seed.\n");
            return out.toString();
        }
        Vault first = all.get(0);
        out.append("Client settings for vault ").append(first.name()).append(":\n");
        out.append("  BATCHVAULT_VAULT_URL=").append(first.url()).append('\n');
        out.append("  BATCHVAULT_TENANT_ID=").append(first.tenantId()).append('\n');
        out.append("  BATCHVAULT_CLIENT_ID=").append(clientId(emulator, first, grants)).append('\n');
        out.append("  BATCHVAULT_AUTHORITY_HOST=").append(emulator.authorityHost()).append('\n');
        if (imds != null) {
            for (ManagedIdentity m : imds.assigned()) {
                if (first.hasPolicy(m.principalId())) {
                    out.append("  or, with the node's managed identity instead of a certificate:\n");
                    out.append("  BATCHVAULT_AUTH_MODE=managed-identity\n");
                    out.append("  BATCHVAULT_MANAGED_IDENTITY_CLIENT_ID=").append(m.clientId()).append('\n');
                    out.append("  ").append(Imds.ENDPOINT_VARIABLE).append('=').append(imds.endpoint()).append('\n');
                    break;
                }
            }
        }
        out.append("  JVM options: -Djavax.net.ssl.trustStore=").append(emulator.trustStore())
                .append(" -Djavax.net.ssl.trustStorePassword=").append(emulator.trustStorePassword())
                .append(" -Djavax.net.ssl.trustStoreType=PKCS12\n");
        out.append("Running until stopped (Ctrl+C).\n");
        return out.toString();
    }

    /** The first application the seed granted on the vault, else the first with an access policy there. */
    private static String clientId(AzureEmulator emulator, Vault vault, List<Seed.Grant> grants) {
        List<String> candidates = new ArrayList<>();
        for (Seed.Grant g : grants) {
            if (g.vault().equalsIgnoreCase(vault.name())) {
                candidates.add(g.clientId());
            }
        }
        if (candidates.isEmpty()) {
            for (Application a : emulator.tenant(vault.tenantId()).applications()) {
                if (vault.hasPolicy(a.principalObjectId())) {
                    candidates.add(a.clientId());
                }
            }
        }
        return candidates.isEmpty() ? "<clientId of an application with an access policy>" : candidates.get(0);
    }
}
