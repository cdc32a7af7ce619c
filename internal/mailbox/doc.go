// Package mailbox reads the messages a user hands to the learner: one
// message, an mbox file, a maildir or a directory of message files, or
// standard input. It is the input of `milter91 learn spam|ham FILE|DIR|-`
// and of the classifier's measurement.
//
// An mbox is read as mboxrd (the format of Dovecot, mutt and Thunderbird
// today; Hall, "The application/mbox Media Type", RFC 4155, describes the
// family): a message starts at a line beginning "From " that opens the
// file or follows an empty line, and the From_ line is dropped; a line of
// one or more ">" followed by "From " loses one ">". A maildir is a
// directory with cur/ and new/ (tmp/ is ignored: messages being
// delivered), one message per file (https://cr.yp.to/proto/maildir.html).
//
// Reading is linear in the input and holds one message at a time, at
// most the caller's size limit: a longer message is reported, not read.
package mailbox
