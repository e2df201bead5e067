package web

import (
	"net"
	"net/url"
	"strings"
)

// publicBase is the origin of every link meant to leave the site: the
// configured -base-url, else http:// and the listen address. It never
// depends on the request (a forged Host header must not end up on a printed
// sticker or in an invitation someone forwards).
func (s *Server) publicBase() string {
	if b := strings.TrimRight(s.cfg.BaseURL, "/"); b != "" {
		return b
	}
	return "http://" + listenOrigin(s.cfg.Addr)
}

// listenOrigin turns a listen address into a host:port a browser can open:
// an unspecified or missing host reads as localhost.
func listenOrigin(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if addr == "" {
			return "localhost"
		}
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// inviteURL is the absolute link a vendor opens to set up its login.
func (s *Server) inviteURL(token string) string {
	return s.publicBase() + "/console/invite/" + url.PathEscape(token)
}

// profileURL is the absolute address of a vendor's public profile (QR code,
// sticker).
func (s *Server) profileURL(uscc string) string {
	return s.publicBase() + "/vendors/" + url.PathEscape(uscc)
}
