package dev.batchvault;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks the https URLs BatchVault is configured with (the vault, the Entra ID host) and accepts
 * exactly what the Azure clients can use: {@code https://host[:port]} with a DNS name, an IPv4
 * address or an IPv6 literal, a port from 1 to 65535, no trailing dot, no user part, path, query or
 * fragment. Messages echo the value with any user part replaced by {@code ***}.
 */
final class HttpsUrls {
    private HttpsUrls() {
    }

    /**
     * @param key the setting, named in errors
     * @param value the URL as given
     * @param origin where it came from, named in errors
     * @return {@code https://host[:port]}
     * @throws InvalidConfigurationException if the clients could not use it
     */
    static URI parse(String key, String value, String origin) {
        String shown = "'" + redact(value) + "' (from " + origin + ")";
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            // No cause: URISyntaxException's message holds the whole input, user part included.
            throw new InvalidConfigurationException(key, key + " " + shown + " is not a URL: " + e.getReason() + ".");
        }
        if (url.getRawUserInfo() != null || (url.getRawAuthority() != null && url.getRawAuthority().contains("@"))) {
            throw new InvalidConfigurationException(key, key + " " + shown + " has a user part; expected just "
                    + "https://<host>[:port]. Credentials never go in the URL: the certificate authenticates.");
        }
        if (!url.isAbsolute() || url.getHost() == null) {
            throw new InvalidConfigurationException(key, key + " " + shown
                    + " is not an absolute URL with a valid host name; expected https://<host>, such as "
                    + "https://myvault.vault.azure.net (host names use letters, digits, '-' and '.').");
        }
        if (!"https".equalsIgnoreCase(url.getScheme())) {
            throw new InvalidConfigurationException(key, key + " " + shown + " uses " + url.getScheme()
                    + "; it must use https, since a bearer token travels with every request.");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new InvalidConfigurationException(key, key + " " + shown
                    + " has a query or fragment; expected just https://<host>[:port].");
        }
        String path = url.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new InvalidConfigurationException(key, key + " " + shown + " has a path (" + path
                    + "); expected just https://<host>[:port], such as https://myvault.vault.azure.net.");
        }
        String host = url.getHost();
        if (host.endsWith(".")) {
            throw new InvalidConfigurationException(key, key + " " + shown + ": the host " + host
                    + " ends with a dot, which TLS (SNI) and Key Vault's challenge check refuse; remove the dot.");
        }
        if (host.startsWith("[") && host.contains("%")) {
            throw new InvalidConfigurationException(key, key + " " + shown + ": the IPv6 address " + host
                    + " has a zone id, which the Azure clients cannot use; use the vault's host name.");
        }
        int port = url.getPort();
        if (port == 0 || port > 65535) {
            throw new InvalidConfigurationException(key, key + " " + shown + " has port " + port
                    + ", outside 1 to 65535; omit it for 443.");
        }
        return URI.create("https://" + url.getRawAuthority());
    }

    /**
     * @param url a URL as given, well formed or not
     * @return the same text with everything between {@code ://} (or the start) and the last
     *     {@code @} replaced by {@code ***}, so that no user name or password is echoed
     */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        int at = url.lastIndexOf('@');
        if (at < 0) {
            return url;
        }
        int scheme = url.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return url.substring(0, start) + "***" + url.substring(at);
    }
}
