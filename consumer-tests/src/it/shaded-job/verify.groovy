def log = evaluate(new File(basedir, '../common/verify.groovy'))
assert !log.contains('Invalid signature file digest')
assert log.contains('job: read batchAdminPass')
true
