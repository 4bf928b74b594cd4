package com.microsoft.aad.msal4j;

/**
 * Moves MSAL4J's IMDS endpoint inside this JVM, for tests: MSAL4J's {@code IMDSManagedIdentitySource} reads
 * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} through {@code ManagedIdentityApplication.environmentVariables},
 * a package-private hook that MSAL4J's own tests use; unset, it is the process environment. This sets the
 * same variable, for MSAL4J only, without changing the process environment. azure-identity does not pass its
 * {@code Configuration} through to MSAL4J, so there is no public way to do this in process.
 */
public final class ImdsEndpointOverride implements AutoCloseable {
    private ImdsEndpointOverride() {
    }

    /**
     * @param endpoint the value MSAL4J is to see for {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}
     * @return closing it restores the process environment
     */
    public static ImdsEndpointOverride set(String endpoint) {
        ManagedIdentityApplication.setEnvironmentVariables(
                name -> "AZURE_POD_IDENTITY_AUTHORITY_HOST".equals(name) ? endpoint : System.getenv(name));
        return new ImdsEndpointOverride();
    }

    @Override
    public void close() {
        ManagedIdentityApplication.setEnvironmentVariables(null);
    }
}
