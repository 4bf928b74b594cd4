def log = evaluate(new File(basedir, '../common/verify.groovy'))
def deps = new File(basedir, 'target/dependencies.txt').text
assert deps =~ /com.azure:azure-core:jar:1\.33\.0/
// Without the BOM too, one JNA version: core declares both jars.
assert deps =~ /net.java.dev.jna:jna:jar:5\.17\.0/
assert deps =~ /net.java.dev.jna:jna-platform:jar:5\.17\.0/
assert log.contains('job: refused as expected: BatchVault')
assert log.contains('azure-core 1.33.0 (from ')
assert log.contains('import dev.batchvault:batchvault-bom:')
true
