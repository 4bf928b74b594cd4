def log = evaluate(new File(basedir, '../common/verify.groovy'))
// slf4j-simple 2.0, declared after BatchVault, brought its own slf4j-api 2.0 and is bound.
assert new File(basedir, 'target/dependencies.txt').text =~ /org.slf4j:slf4j-api:jar:2\.0\.17/
assert log.contains('job: own log line, through org.slf4j.simple.SimpleLoggerFactory')
assert log.contains('job: read batchAdminPass')
// slf4j-simple logs INFO and above: a successful read logs nothing but the job's own lines.
assert !(log =~ /\] (INFO|WARN|ERROR) (?!example\.)\S+ - /) : 'a library logged during a successful read'
true
