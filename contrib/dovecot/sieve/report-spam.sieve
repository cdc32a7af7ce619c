require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];

# Learn as spam what the user moved into Junk; a failure of the pipe
# leaves the move alone (:try).
if environment :matches "imap.user" "*" {
  set "username" "${1}";
}
pipe :copy :try "milter91-learn" ["spam", "${username}"];
