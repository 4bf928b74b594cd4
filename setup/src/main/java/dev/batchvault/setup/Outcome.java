package dev.batchvault.setup;

/** What a step did, or would do: {@code plan()} reports the same words for the changes it would make. */
public enum Outcome {
    /** The resource did not exist and was made (or would be). */
    CREATED,
    /** The resource existed and was changed (or would be), for example a key credential added. */
    UPDATED,
    /** The resource already was as asked; nothing was sent. */
    UNCHANGED
}
