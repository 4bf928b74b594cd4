/**
 * Not API. Helpers that core and the BatchVault store modules share (reading certificate files);
 * they may change or go in any release without notice. Code outside this project uses
 * {@code dev.batchvault} and {@code dev.batchvault.spi} only.
 */
package dev.batchvault.internal;
