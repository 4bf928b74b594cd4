/** A job as a named module. It reads BatchVault's API and its own logger; nothing else. */
module example.job {
    requires dev.batchvault;
    requires org.slf4j;
}
