def log = evaluate(new File(basedir, '../common/verify.groovy'))
assert log.contains('modular job: own log line')
assert log.contains('modular job: read batchAdminPass (25 characters) in module example.job, BatchVault in module dev.batchvault')
assert log.contains('modular job: store modules resolved: true, true')
assert !log.contains('--add-modules')
true
