package example.job;

import dev.batchvault.BatchVault;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole job: one line reads the secret; the pool or job settings come from the environment. */
public final class ModularJob {
    private static final Logger LOG = LoggerFactory.getLogger(ModularJob.class);

    private ModularJob() {
    }

    public static void main(String[] args) {
        LOG.info("modular job: own log line");
        String password = BatchVault.secret("batchAdminPass");
        System.out.println("modular job: read batchAdminPass (" + password.length() + " characters) in module "
                + ModularJob.class.getModule().getName() + ", BatchVault in module "
                + BatchVault.class.getModule().getName());
        System.out.println("modular job: store modules resolved: "
                + ModuleLayer.boot().findModule("dev.batchvault.linux").isPresent() + ", "
                + ModuleLayer.boot().findModule("dev.batchvault.windows").isPresent());
    }
}
