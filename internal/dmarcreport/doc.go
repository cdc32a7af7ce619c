// Package dmarcreport builds DMARC aggregate reports (RFC 9990, text of
// draft-ietf-dmarc-aggregate-reporting-32): the per-message DMARC inputs
// a store keeps (Entry), the XML feedback document of one policy domain
// and reporting period (Build), and its gzip file with the file name and
// Subject the RFC prescribes (Write, Filename, Subject).
//
// The XML follows the RFC's schema (namespace
// urn:ietf:params:xml:ns:dmarc-2.0, testdata/dmarc-xml-0.2.xsd); a test
// validates the output against the schema file. Storing entries, the
// `milter91 dmarc report` command and delivery come later.
package dmarcreport
