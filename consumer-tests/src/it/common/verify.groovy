// Run by each job's verify.groovy: the job's output in build.log, and its README snippets.
def log = new File(basedir, 'build.log').text
assert !log.contains('NoClassDefFoundError') : 'a raw NoClassDefFoundError reached the job'
assert !log.contains('job: FAILED')

// Every region of this job's POM marked "README: name" appears in the root README.md word for word
// (leading blanks aside), so that the README shows what these tests build.
def squeeze = { String s -> s.replace('\r', '').readLines()*.trim().findAll { it }.join('\n') }
def readme = squeeze(new File(basedir, '../../../../README.md').text)
def pom = new File(basedir, 'pom.xml').text
(pom =~ /(?s)<!-- README: ([\w-]+) -->\n(.*?)\n\s*<!-- \/README -->/).each { match ->
    assert readme.contains(squeeze(match[2])) : "README.md lacks the ${match[1]} snippet of ${basedir}/pom.xml"
}
new File(basedir, 'target').mkdirs()
new File(basedir, 'target/verified.txt').text = 'verify.groovy ran'
return log
