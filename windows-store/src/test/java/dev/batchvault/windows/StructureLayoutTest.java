package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.platform.win32.WinCrypt;
import org.junit.jupiter.api.Test;

/**
 * The JNA structure this module declares, against its Windows x64 layout (bcrypt.h). Windows x64
 * aligns pointers to 8 and DWORDs to 4, as every 64-bit JVM this runs on does for these fields, so
 * the check runs on Linux too; on 32-bit JVMs it is skipped.
 */
class StructureLayoutTest {
    @Test
    void pkcs1PaddingInfoIsOnePointer() {
        assumeTrue(Native.POINTER_SIZE == 8 && Platform.is64Bit(), "a 64-bit JVM");
        WinApi.Pkcs1PaddingInfo info = new WinApi.Pkcs1PaddingInfo(WinApi.BCRYPT_SHA256_ALGORITHM);
        // typedef struct _BCRYPT_PKCS1_PADDING_INFO { LPCWSTR pszAlgId; }: sizeof 8, pszAlgId at 0.
        assertThat(info.size()).isEqualTo(8);
        assertThat(info.offsetOf("pszAlgId")).isZero();
        info.write();
        assertThat(info.getPointer().getPointer(0).getWideString(0)).isEqualTo("SHA256");
    }

    /** jna-platform's structures this module hands to Windows, against wincrypt.h on x64. */
    @Test
    void theJnaPlatformStructuresPassedToWindows() {
        assumeTrue(Native.POINTER_SIZE == 8 && Platform.is64Bit(), "a 64-bit JVM");
        // CRYPT_HASH_BLOB { DWORD cbData; BYTE *pbData; }: 16 bytes.
        assertThat(new WinCrypt.DATA_BLOB(new byte[20]).size()).isEqualTo(16);
        // CERT_CONTEXT { DWORD; BYTE*; DWORD; PCERT_INFO; HCERTSTORE }: 40 bytes.
        assertThat(new WinCrypt.CERT_CONTEXT().size()).isEqualTo(40);
        // CERT_CHAIN_PARA with every field up to dwStrongSignFlags: 4 + 4 (pad) + 2 * 24 (CERT_USAGE_MATCH)
        // + 4 + 4 + 4 + 4 (pad) + 8 + 8 + 4 + 4 (pad) = 96 bytes; cbSize says which version is passed.
        assertThat(new WinCrypt.CERT_CHAIN_PARA().size()).isEqualTo(96);
    }

    @Test
    void theSdkValuesOfTheFlags() {
        // (CERT_COMPARE_SHA1_HASH 1) << (CERT_COMPARE_SHIFT 16)
        assertThat(WinApi.CERT_FIND_SHA1_HASH).isEqualTo(1 << 16);
        assertThat(WinApi.CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG).isEqualTo(0x40000);
        assertThat(WinApi.CRYPT_ACQUIRE_SILENT_FLAG).isEqualTo(0x40);
        assertThat(WinApi.CERT_NCRYPT_KEY_SPEC).isEqualTo(-1);
        assertThat(StoreName.Location.LOCAL_MACHINE.flag)
                .isEqualTo(com.sun.jna.platform.win32.WinCrypt.CERT_SYSTEM_STORE_LOCAL_MACHINE);
        assertThat(StoreName.Location.CURRENT_USER.flag)
                .isEqualTo(com.sun.jna.platform.win32.WinCrypt.CERT_SYSTEM_STORE_CURRENT_USER);
    }
}
