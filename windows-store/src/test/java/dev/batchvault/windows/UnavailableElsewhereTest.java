package dev.batchvault.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Off Windows the source is found through ServiceLoader, searches nothing and needs no native code:
 * shown in a class loader that has this module and core but no JNA at all, so touching any JNA
 * class would fail.
 */
@DisabledOnOs(OS.WINDOWS)
class UnavailableElsewhereTest {
    @Test
    void loadsAndReportsItselfUnavailableWithoutJna() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains(File.separator + "jna")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            assertThat(loader.getResource("com/sun/jna/Native.class")).as("JNA is absent").isNull();
            Class<?> spi = loader.loadClass("dev.batchvault.spi.CertificateSource");
            Iterator<?> sources = ServiceLoader.load(spi, loader).iterator();
            Object source = null;
            while (sources.hasNext()) {
                Object s = sources.next();
                if (s.getClass().getName().equals(WindowsCertificateStore.class.getName())) {
                    source = s;
                }
            }
            assertThat(source).as("found through ServiceLoader").isNotNull();
            assertThat(loader.loadClass(WindowsCertificateStore.class.getName()).getMethod("isAvailable").invoke(null))
                    .isEqualTo(false);

            Class<?> thumbprint = loader.loadClass("dev.batchvault.spi.Thumbprint");
            Object wanted = thumbprint.getMethod("parse", String.class, String.class)
                    .invoke(null, "3B1E007FFF800123456789ABCDEF10325476980A", "t");
            Constructor<?> query = loader.loadClass("dev.batchvault.spi.CertificateQuery")
                    .getConstructor(thumbprint, Function.class);
            Function<String, Optional<String>> settings = key -> Optional.empty();
            Class<?> logType = loader.loadClass("dev.batchvault.spi.SearchLog");
            List<String> searched = new ArrayList<>();
            Object log = java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {logType},
                    (proxy, method, args) -> searched.add(args[0] + ": " + args[1]));
            Method find = spi.getMethod("find", query.getDeclaringClass(), logType);
            Object found = find.invoke(source, query.newInstance(wanted, settings), log);

            assertThat(found).isEqualTo(Optional.empty());
            assertThat(searched).containsExactly(System.getProperty("os.name") + ": not Windows: this source is unavailable here");
        }
    }
}
