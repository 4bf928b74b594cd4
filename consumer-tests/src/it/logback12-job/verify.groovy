def log = evaluate(new File(basedir, '../common/verify.groovy'))
// Logback 1.2 binds only to slf4j-api 1.7: the job got that one, and its own lines are printed.
assert log.contains('job: own log line, through ch.qos.logback.classic.LoggerContext')
assert log.contains('INFO  example.Job - job: done')
assert new File(basedir, 'target/dependencies.txt').text =~ /org.slf4j:slf4j-api:jar:1\.7\.\d+/
assert log.contains('job: read batchAdminPass')
// At INFO a successful read logs nothing but the job's own lines: none from the Azure SDK or BatchVault.
assert !(log =~ /(?m)^(INFO|WARN|ERROR) +(?!example\.)\S+ - /) : 'a library logged during a successful read'
true
