/**
 * The pool certificate from the Windows certificate store. {@link dev.batchvault.windows.WindowsCertificateStore}
 * is the one public type, a {@link dev.batchvault.spi.CertificateSource} that core finds through
 * {@link java.util.ServiceLoader}. Inside: {@code NativeStores} is the seam between the search (which
 * store, which errors mean what) and the Windows calls, {@code JnaNativeStores} makes those calls
 * through jna-platform and {@code WinApi} (what jna-platform lacks), and {@code StoreSigner} signs in
 * the store, opening and releasing every handle per signature.
 */
package dev.batchvault.windows;
