package dev.batchvault;

import java.util.regex.Pattern;

/**
 * A copy of a failure that holds only text: the original class name, its message with anything
 * that looks like a bearer token, a JWT (access token or client assertion) or a form-encoded
 * assertion removed, and its stack trace. BatchVault's exceptions keep these instead of the
 * original causes, which can hold azure-core's HTTP response, whose request holds the
 * {@code Authorization} header. A chain made only of the JDK's exceptions (an I/O error, an
 * interrupt) is kept as it is.
 */
final class SanitizedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_DEPTH = 16;
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer|pop)\\s+[A-Za-z0-9._~+/=-]+");
    private static final Pattern FORM_SECRET = Pattern.compile(
            "(?i)(client_assertion|client_secret|access_token|refresh_token|assertion|password)(\"?\\s*[=:]\\s*\"?)[^&\"\\s,}]+");

    private final String originalClass;

    private SanitizedCause(String originalClass, String message, Throwable cause) {
        super(message, cause, false, true);
        this.originalClass = originalClass;
    }

    /**
     * @param cause a failure, or {@code null}
     * @return its sanitised copy (and of its causes), or {@code null}
     */
    static Throwable of(Throwable cause) {
        return copy(cause, 0);
    }

    private static Throwable copy(Throwable t, int depth) {
        if (t == null || depth >= MAX_DEPTH) {
            return null;
        }
        if (t instanceof SanitizedCause || t instanceof BatchVaultException || jdkOnly(t)) {
            // Already text only (BatchVault's own exceptions sanitise their causes when made), or the
            // JDK's own exceptions all the way down (an IOException, an interrupt): kept as they are.
            return t;
        }
        Throwable next = t.getCause() == t ? null : t.getCause();
        SanitizedCause copy = new SanitizedCause(t.getClass().getName(), redact(t.getMessage()), copy(next, depth + 1));
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    /** Whether the failure and all its causes are the JDK's, with nothing suppressed. */
    private static boolean jdkOnly(Throwable t) {
        int depth = 0;
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            String name = x.getClass().getName();
            if (++depth > MAX_DEPTH || !(name.startsWith("java.") || name.startsWith("javax."))
                    || x.getSuppressed().length > 0) {
                return false;
            }
        }
        return true;
    }

    static String redact(String message) {
        if (message == null) {
            return null;
        }
        String m = JWT.matcher(message).replaceAll("<token removed>");
        m = BEARER.matcher(m).replaceAll("$1 <token removed>");
        return FORM_SECRET.matcher(m).replaceAll("$1$2<removed>");
    }

    /** @return the class of the failure this copies */
    String originalClass() {
        return originalClass;
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? originalClass : originalClass + ": " + message;
    }
}
