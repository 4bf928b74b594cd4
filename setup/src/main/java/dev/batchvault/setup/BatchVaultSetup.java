package dev.batchvault.setup;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.keyvault.KeyVaultManager;
import com.azure.resourcemanager.resources.fluentcore.utils.HttpPipelineProvider;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The seed's set-up steps 2 to 5 on the Azure management libraries (application and service
 * principal, vault access, the pool's account certificate the seed's way, the identity and pool of
 * today's way), each safe to run again, with a plan that says what it would change before it changes it.
 *
 * <pre>{@code
 * BatchVaultSetup setup = BatchVaultSetup.builder()
 *         .credential(credential)                     // whoever runs the set-up
 *         .tenantId(tenantId).subscriptionId(subscriptionId)
 *         .application("batchvault-pool", certificate.certificate())      // step 2
 *         .vaultAccess("batch-rg", "contoso-vault", PermissionModel.FOLLOW_VAULT) // step 3
 *         .build();
 * setup.plan().forEach(System.out::println);  // what would change; changes nothing
 * SetupReport report = setup.apply();         // makes the changes; a rerun reports every step unchanged
 * }</pre>
 *
 * <p>The caller's {@link TokenCredential} needs: Microsoft Graph {@code Application.ReadWrite.All}
 * (step 2); on the vault, Contributor or Key Vault Contributor for an access policy, Owner or User
 * Access Administrator for a role assignment (step 3); Contributor on the Batch account (steps 4, 5)
 * and Managed Identity Contributor for the identity (step 5). Steps run in this order: 2, 5's identity,
 * 3 (for step 2's principal and the identity's), 5's pool, 4. Throttled and transiently failed management
 * calls are retried within a deadline. Failures are {@link SetupException}s naming the step and the
 * resource. Immutable and thread-safe; runs of {@link #apply()} on the same resources should not
 * overlap.
 */
public final class BatchVaultSetup {
    private final String tenantId;
    private final String subscriptionId;
    private final AuthorizationManager authorization;
    private final KeyVaultManager keyVault;
    private final ApplicationStep application;
    private final VaultAccessStep vaultAccess;
    private final PoolCertificateStep poolCertificate;
    private final IdentityStep identity;
    private final PoolStep pool;
    private final com.azure.resourcemanager.batch.BatchManager batchManager;

    private BatchVaultSetup(Builder b) {
        this.tenantId = b.tenantId;
        this.subscriptionId = b.subscriptionId;
        AzureProfile profile = new AzureProfile(b.tenantId, b.subscriptionId, b.environment);
        List<com.azure.core.http.policy.HttpPipelinePolicy> policies = new ArrayList<>();
        policies.add(new ManagementRetry(b.maxRetries, b.retryDeadline, b.retryBaseDelay, System::nanoTime));
        HttpPipeline pipeline = HttpPipelineProvider.buildHttpPipeline(b.credential, profile, null,
                new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE), null,
                new RetryPolicy(new FixedDelay(0, Duration.ZERO)), policies, b.httpClient);
        this.authorization = AuthorizationManager.authenticate(pipeline, profile);
        this.keyVault = KeyVaultManager.authenticate(pipeline, profile);
        this.application = b.applicationName == null ? null
                : new ApplicationStep(authorization, b.applicationName, b.certificates, b.retiredThumbprints);
        com.azure.resourcemanager.batch.BatchManager batch = b.poolName == null && b.poolSpec == null ? null
                : com.azure.resourcemanager.batch.BatchManager.configure()
                        .withHttpClient(b.httpClient != null ? b.httpClient : HttpClient.createDefault())
                        .withPolicy(new ManagementRetry(b.maxRetries, b.retryDeadline, b.retryBaseDelay, System::nanoTime))
                        .withRetryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ZERO)))
                        .authenticate(b.credential, profile);
        this.batchManager = batch;
        this.poolCertificate = b.poolName == null ? null : new PoolCertificateStep(batch,
                b.batchResourceGroup, b.batchAccount, b.poolName, b.poolCertificate, b.pfxPassword, b.visibility);
        this.pool = b.poolSpec == null ? null : new PoolStep(batch, b.poolResourceGroup, b.poolAccount, b.poolSpec);
        this.identity = b.identityName == null ? null : new IdentityStep(
                com.azure.resourcemanager.msi.MsiManager.authenticate(pipeline, profile), b.identityResourceGroup,
                b.identityName, b.identityRegion);
        this.vaultAccess = b.vaultName == null ? null
                : new VaultAccessStep(authorization, keyVault, b.tenantId, b.subscriptionId, b.resourceGroup,
                        b.vaultName, b.permissionModel, b.principalObjectId);
    }

    /** @return a builder; credential, tenant id and subscription id are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Lists what {@link #apply()} would change, changing nothing (only reads are sent).
     *
     * @return one result per resource, in step order, each {@link StepResult#planned() planned}
     * @throws SetupException if a read fails (no rights, name conflict, throttled past the deadline)
     */
    public List<StepResult> plan() {
        return run(true).steps();
    }

    /**
     * Makes the changes, in step order; a rerun on the same state changes nothing and reports every
     * step {@link Outcome#UNCHANGED}.
     *
     * @return what was done, with the application (client) id and service principal object id
     * @throws SetupException naming the step and resource that failed; earlier steps stay done
     */
    public SetupReport apply() {
        return run(false);
    }

    private SetupReport run(boolean dryRun) {
        List<StepResult> results = new ArrayList<>();
        String clientId = null;
        String principalId = null;
        if (application != null) {
            ApplicationStep.Result r = application.run(dryRun);
            results.addAll(r.steps);
            clientId = r.clientId;
            principalId = r.principalObjectId;
        }
        IdentityStep.Result id = null;
        if (identity != null) {
            id = identity.run(dryRun);
            results.add(id.step);
        }
        String vaultUrl = null;
        if (vaultAccess != null) {
            if (application != null || identity == null) {
                results.add(vaultAccess.run(dryRun, principalId, application != null));
            }
            if (identity != null) {
                results.add(vaultAccess.run(dryRun, id.principalId, true));
            }
            vaultUrl = vaultAccess.vaultUri;
        }
        if (pool != null) {
            results.add(pool.run(dryRun, id == null ? null : id.resourceId, id == null ? null : id.clientId));
        }
        if (poolCertificate != null) {
            results.addAll(poolCertificate.run(dryRun));
        }
        SetupReport report = new SetupReport(Collections.unmodifiableList(results), tenantId, clientId, principalId,
                vaultUrl);
        return id == null ? report : report.withIdentity(id.resourceId, id.clientId, id.principalId);
    }

    /**
     * Step 7: the certificate key credentials of step 2's application, soonest expiry first, to see
     * which one to rotate (add the next with {@link Builder#alsoCertificate} before the current ends).
     *
     * @return the credentials with their dates; empty if the application does not exist yet
     * @throws IllegalStateException if no application step is configured
     * @throws SetupException if Graph refuses the read
     */
    public List<RegisteredCertificate> applicationCertificates() {
        if (application == null) {
            throw new IllegalStateException("no application step: call Builder.application(...)");
        }
        return application.certificates();
    }

    /** @return the management library's Graph and RBAC entry point this set-up uses, for what it does not cover */
    public AuthorizationManager authorizationManager() {
        return authorization;
    }

    /** @return the Batch management library's entry point this set-up uses, or null without steps 4 and 5's pool */
    public com.azure.resourcemanager.batch.BatchManager batchManager() {
        return batchManager;
    }

    /** @return the management library's Key Vault entry point this set-up uses */
    public KeyVaultManager keyVaultManager() {
        return keyVault;
    }

    @Override
    public String toString() {
        return "BatchVaultSetup{tenant " + tenantId + ", subscription " + subscriptionId + ", "
                + (application == null ? "" : application + ", ") + (vaultAccess == null ? "" : vaultAccess + ", ")
                + (poolCertificate == null ? "" : poolCertificate) + "}";
    }

    /** Builds a {@link BatchVaultSetup}; each setter checks its argument at once. */
    public static final class Builder {
        private TokenCredential credential;
        private AzureEnvironment environment = AzureEnvironment.AZURE;
        private String tenantId;
        private String subscriptionId;
        private HttpClient httpClient;
        private int maxRetries = 5;
        private Duration retryDeadline = Duration.ofMinutes(2);
        private Duration retryBaseDelay = Duration.ofSeconds(1);
        private String applicationName;
        private final List<X509Certificate> certificates = new ArrayList<>();
        private final List<String> retiredThumbprints = new ArrayList<>();
        private String resourceGroup;
        private String vaultName;
        private PermissionModel permissionModel = PermissionModel.FOLLOW_VAULT;
        private String principalObjectId;
        private String identityResourceGroup;
        private String identityName;
        private com.azure.core.management.Region identityRegion;
        private String poolResourceGroup;
        private String poolAccount;
        private PoolSpec poolSpec;
        private String batchResourceGroup;
        private String batchAccount;
        private String poolName;
        private GeneratedCertificate poolCertificate;
        private char[] pfxPassword;
        private List<com.azure.resourcemanager.batch.models.CertificateVisibility> visibility;

        private Builder() {
        }

        /**
         * @param credential who runs the set-up, such as {@code DefaultAzureCredential} or {@code AzureCliCredential}
         * @return this builder
         */
        public Builder credential(TokenCredential credential) {
            this.credential = Objects.requireNonNull(credential, "credential == null");
            return this;
        }

        /**
         * @param environment the cloud: {@link AzureEnvironment#AZURE} (default), a sovereign cloud, or an
         *     environment whose endpoints point at an emulator
         * @return this builder
         */
        public Builder environment(AzureEnvironment environment) {
            this.environment = Objects.requireNonNull(environment, "environment == null");
            return this;
        }

        /**
         * @param tenantId the directory (tenant) id
         * @return this builder
         */
        public Builder tenantId(String tenantId) {
            this.tenantId = requireText(tenantId, "tenantId");
            return this;
        }

        /**
         * @param subscriptionId the subscription holding the vault
         * @return this builder
         */
        public Builder subscriptionId(String subscriptionId) {
            this.subscriptionId = requireText(subscriptionId, "subscriptionId");
            return this;
        }

        /**
         * @param httpClient the azure-core HTTP client; default the one azure-core finds (the JDK's, as this
         *     module ships azure-core-http-jdk-httpclient)
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient == null");
            return this;
        }

        /**
         * How throttled (429) and transiently failed management calls are retried.
         *
         * @param maxRetries at most this many retries per call, 0 or more (default 5)
         * @param deadline no wait ends later than this after the call's first attempt (default 2 minutes)
         * @param baseDelay the first backoff when the answer says no {@code Retry-After} (default 1 s), doubling
         * @return this builder
         */
        public Builder retry(int maxRetries, Duration deadline, Duration baseDelay) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries " + maxRetries + " < 0");
            }
            Objects.requireNonNull(deadline, "deadline == null");
            Objects.requireNonNull(baseDelay, "baseDelay == null");
            if (deadline.isNegative() || baseDelay.isNegative() || baseDelay.isZero()) {
                throw new IllegalArgumentException("deadline " + deadline + " and baseDelay " + baseDelay
                        + " must be positive");
            }
            this.maxRetries = maxRetries;
            this.retryDeadline = deadline;
            this.retryBaseDelay = baseDelay;
            return this;
        }

        /**
         * Step 2: an application with this display name and the certificate as a key credential, and its
         * service principal ({@code New-AzureRmADApplication -CertValue}, {@code New-AzureRmADServicePrincipal}).
         * A rerun reuses the application of that name and adds the certificate only if it is missing.
         *
         * @param displayName the application's display name, unique in the tenant
         * @param certificate the certificate whose key signs the pool's client assertions (step 1)
         * @return this builder
         */
        public Builder application(String displayName, X509Certificate certificate) {
            this.applicationName = requireText(displayName, "displayName");
            this.certificates.clear();
            this.certificates.add(Objects.requireNonNull(certificate, "certificate == null"));
            return this;
        }

        /**
         * Step 7 (rotation): also register another certificate on the application, such as the next one
         * before the current one expires.
         *
         * @param certificate an additional certificate
         * @return this builder
         */
        public Builder alsoCertificate(X509Certificate certificate) {
            this.certificates.add(Objects.requireNonNull(certificate, "certificate == null"));
            return this;
        }

        /**
         * Removes the key credential of a certificate from the application: the only way this set-up ever
         * removes one.
         *
         * @param thumbprint the SHA-1 thumbprint (40 hex digits) of the certificate to retire
         * @return this builder
         */
        public Builder removeCertificate(String thumbprint) {
            String hex = requireText(thumbprint, "thumbprint").replaceAll("[\\s:-]", "").toUpperCase(java.util.Locale.ROOT);
            if (!hex.matches("[0-9A-F]{40}")) {
                throw new IllegalArgumentException("thumbprint '" + thumbprint + "' is not 40 hex digits");
            }
            this.retiredThumbprints.add(hex);
            return this;
        }

        /**
         * Step 3: secrets {@code get} on the vault for the service principal of step 2
         * ({@code Set-AzureRmKeyVaultAccessPolicy -PermissionsToSecrets get}, or the role Key Vault
         * Secrets User at the vault's scope).
         *
         * @param resourceGroup the vault's resource group
         * @param vaultName the vault's name
         * @param model how; {@link PermissionModel#FOLLOW_VAULT} uses whatever the vault uses
         * @return this builder
         */
        public Builder vaultAccess(String resourceGroup, String vaultName, PermissionModel model) {
            this.resourceGroup = requireText(resourceGroup, "resourceGroup");
            this.vaultName = requireText(vaultName, "vaultName");
            this.permissionModel = Objects.requireNonNull(model, "model == null");
            return this;
        }

        /**
         * Step 4, the seed's way (Batch account certificates were retired on 2024-02-29; each run logs
         * that once): the certificate's {@code .pfx} as the account certificate {@code sha1-<thumbprint>}
         * ({@code Add-AzureBatchCertificate}) and a reference to it from an existing pool, store location
         * LocalMachine, store name My.
         *
         * @param resourceGroup the Batch account's resource group
         * @param account the Batch account
         * @param pool an existing pool of the account
         * @param certificate the certificate with its key (step 1)
         * @param pfxPassword the password the uploaded {@code .pfx} is protected with (copied)
         * @param visibility who on the node sees it, such as {@code TASK} and {@code START_TASK}
         * @return this builder
         */
        public Builder poolCertificate(String resourceGroup, String account, String pool,
                GeneratedCertificate certificate, char[] pfxPassword,
                com.azure.resourcemanager.batch.models.CertificateVisibility... visibility) {
            this.batchResourceGroup = requireText(resourceGroup, "resourceGroup");
            this.batchAccount = requireText(account, "account");
            this.poolName = requireText(pool, "pool");
            this.poolCertificate = Objects.requireNonNull(certificate, "certificate == null");
            Objects.requireNonNull(pfxPassword, "pfxPassword == null");
            if (pfxPassword.length == 0) {
                throw new IllegalArgumentException("pfxPassword is empty; Batch takes a .pfx with a password");
            }
            this.pfxPassword = pfxPassword.clone();
            if (visibility.length == 0) {
                throw new IllegalArgumentException("visibility is empty; give at least TASK");
            }
            this.visibility = List.of(visibility);
            return this;
        }

        /**
         * Step 5, its first part: a user-assigned managed identity for the pool ({@code New-AzUserAssignedIdentity});
         * with {@link #vaultAccess} its principal gets secrets {@code get} too. The pool with the identity
         * and the Key Vault VM extension is not made by this module yet.
         *
         * @param resourceGroup the identity's resource group
         * @param name the identity's name
         * @param region where it lives, such as {@code Region.EUROPE_WEST}
         * @return this builder
         */
        public Builder userAssignedIdentity(String resourceGroup, String name, com.azure.core.management.Region region) {
            this.identityResourceGroup = requireText(resourceGroup, "resourceGroup");
            this.identityName = requireText(name, "name");
            this.identityRegion = Objects.requireNonNull(region, "region == null");
            return this;
        }

        /**
         * Step 5, its second part: a pool that runs as the {@link #userAssignedIdentity user-assigned
         * identity} and, when the spec observes certificates, has the Key Vault VM extension install them.
         * A pool of that name that runs as the identity with the same extension settings is left alone;
         * one that differs is a name conflict (pools cannot change their identity or extensions in place).
         *
         * @param resourceGroup the Batch account's resource group
         * @param account the Batch account
         * @param spec the pool
         * @return this builder
         */
        public Builder pool(String resourceGroup, String account, PoolSpec spec) {
            this.poolResourceGroup = requireText(resourceGroup, "resourceGroup");
            this.poolAccount = requireText(account, "account");
            this.poolSpec = Objects.requireNonNull(spec, "spec == null");
            return this;
        }

        /**
         * Step 3 for a principal made elsewhere (such as a managed identity) instead of step 2's.
         *
         * @param objectId the principal's object id
         * @return this builder
         */
        public Builder principalObjectId(String objectId) {
            this.principalObjectId = requireText(objectId, "principalObjectId");
            return this;
        }

        /**
         * @return the set-up
         * @throws IllegalStateException if the credential, tenant or subscription is missing, no step is
         *     chosen, or step 3 has no principal (neither step 2 nor {@link #principalObjectId})
         */
        public BatchVaultSetup build() {
            if (credential == null) {
                throw new IllegalStateException("credential is required: the identity that runs the set-up");
            }
            if (tenantId == null) {
                throw new IllegalStateException("tenantId is required");
            }
            if (subscriptionId == null) {
                throw new IllegalStateException("subscriptionId is required");
            }
            if (poolSpec != null && identityName == null) {
                throw new IllegalStateException("pool(...) needs userAssignedIdentity(...): the pool runs as it");
            }
            if (applicationName == null && vaultName == null && poolName == null && identityName == null) {
                throw new IllegalStateException("no step chosen: call application(...), vaultAccess(...) and/or "
                        + "poolCertificate(...)");
            }
            if (vaultName != null && applicationName == null && principalObjectId == null && identityName == null) {
                throw new IllegalStateException("vaultAccess needs a principal: call application(...), "
                        + "userAssignedIdentity(...) or principalObjectId(...)");
            }
            return new BatchVaultSetup(this);
        }

        private static String requireText(String value, String name) {
            if (value == null) {
                throw new NullPointerException(name + " == null");
            }
            if (value.trim().isEmpty()) {
                throw new IllegalArgumentException(name + " is empty");
            }
            return value.trim();
        }
    }
}
