def log = evaluate(new File(basedir, '../common/verify.groovy'))
// slf4j-simple 2.0, declared after BatchVault, brought its own slf4j-api 2.0 and is bound.
assert new File(basedir, 'target/dependencies.txt').text =~ /org.slf4j:slf4j-api:jar:2\.0\.17/
assert log.contains('job: own log line, through org.slf4j.simple.SimpleLoggerFactory')
assert log.contains('job: read batchAdminPass')
true
