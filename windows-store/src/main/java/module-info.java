/**
 * Finds the pool certificate in the Windows certificate store through JNA and signs in the store.
 * It has no API of its own: core finds its source through {@link java.util.ServiceLoader}.
 *
 * @provides dev.batchvault.spi.CertificateSource
 */
// JNA, jna-platform and slf4j-api 1.7 (the line azure-core uses) are automatic modules; slf4j-api 2.x
// is a named one. Either serves.
@SuppressWarnings("requires-automatic")
module dev.batchvault.windows {
    requires dev.batchvault;
    requires com.sun.jna;
    requires com.sun.jna.platform;
    requires org.slf4j;

    // JNA reads and writes the fields of the structures declared here (WinApi) by reflection.
    opens dev.batchvault.windows to com.sun.jna;

    provides dev.batchvault.spi.CertificateSource with dev.batchvault.windows.WindowsCertificateStore;
}
