def log = evaluate(new File(basedir, '../common/verify.groovy'))
def deps = new File(basedir, 'target/dependencies.txt').text
assert deps.contains('com.azure:azure-storage-blob:jar:12.20.0')
assert deps =~ /com.azure:azure-core:jar:1\.59\.0/
assert log.contains('job: read batchAdminPass')
true
