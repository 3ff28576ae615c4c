# comment lines vanish from lists
lib/iconv   lib/z
