require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];

# Moved out of Junk into Trash is not "this is good mail": learn nothing.
if environment :matches "imap.mailbox" "*" {
  set "mailbox" "${1}";
}
if string "${mailbox}" "Trash" {
  stop;
}
if environment :matches "imap.user" "*" {
  set "username" "${1}";
}
pipe :copy :try "milter91-learn" ["ham", "${username}"];
