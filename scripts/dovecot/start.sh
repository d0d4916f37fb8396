#!/bin/sh
# Starts a private Dovecot IMAP server for tests: loopback only, plaintext allowed (ssl=no), users
# from a passwd-file, maildirs under a temporary folder. Prints the chosen port on stdout.
#
# Usage: scripts/dovecot/start.sh [workdir]
#   workdir   folder to use (created if missing); default: a new mktemp -d folder
#   DOVECOT_USERS="alice:secret bob:hunter22"   initial users (default "tidings:tidings-pass")
#   DOVECOT_PORT=<n>                            port to use (default: a free one)
# Add users later by appending "name:{PLAIN}password::::::" lines to <workdir>/passwd.
# Stop with scripts/dovecot/stop.sh <workdir>. Mail of user U is in <workdir>/home/U/Maildir.
set -eu

DOVECOT=${DOVECOT:-/usr/sbin/dovecot}
if [ ! -x "$DOVECOT" ]; then
  echo "dovecot not found at $DOVECOT (apt-get install -y dovecot-imapd)" >&2
  exit 3
fi

WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tidings-dovecot.XXXXXX")}
mkdir -p "$WORK/run" "$WORK/state" "$WORK/home"
WORK=$(cd "$WORK" && pwd)

# The mail processes run as the current user; as root, as an unprivileged account instead,
# because Dovecot refuses to run mail processes with uid 0.
if [ "$(id -u)" = 0 ]; then
  MAIL_USER=${DOVECOT_MAIL_USER:-nobody}
  PRIV_LINES="default_login_user = dovenull
default_internal_user = dovecot"
else
  MAIL_USER=$(id -un)
  PRIV_LINES="default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER
default_internal_group = $(id -gn)"
fi
MAIL_UID=$(id -u "$MAIL_USER")
MAIL_GID=$(id -g "$MAIL_USER")

: > "$WORK/passwd"
for entry in ${DOVECOT_USERS:-tidings:tidings-pass}; do
  name=${entry%%:*}
  pass=${entry#*:}
  echo "$name:{PLAIN}$pass::::::" >> "$WORK/passwd"
  mkdir -p "$WORK/home/$name/Maildir/cur" "$WORK/home/$name/Maildir/new" "$WORK/home/$name/Maildir/tmp"
done
chmod 0755 "$WORK"
chown -R "$MAIL_UID:$MAIL_GID" "$WORK/home"
chmod 0644 "$WORK/passwd"

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

attempt=0
while :; do
  attempt=$((attempt + 1))
  PORT=${DOVECOT_PORT:-$(free_port)}
  cat > "$WORK/dovecot.conf" <<CONF
base_dir = $WORK/run
state_dir = $WORK/state
log_path = $WORK/dovecot.log
info_log_path = $WORK/dovecot.log
instance_name = tidings-$(basename "$WORK")
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
$PRIV_LINES
first_valid_uid = 1
mail_location = maildir:~/Maildir
# Tell IDLE clients about new mail within a second even where inotify is unavailable.
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $WORK/passwd
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$WORK/home/%u
}
# No chroots: an unprivileged master cannot chroot (and a test server does not need it).
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
  if "$DOVECOT" -c "$WORK/dovecot.conf" 2>> "$WORK/dovecot.log"; then
    # Wait until the port accepts connections (the master binds before forking, but be sure).
    i=0
    while [ $i -lt 50 ]; do
      if node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
        echo "$PORT"
        exit 0
      fi
      i=$((i + 1))
      sleep 0.1
    done
    "$DOVECOT" -c "$WORK/dovecot.conf" stop 2>/dev/null || true
  fi
  if [ -n "${DOVECOT_PORT:-}" ] || [ $attempt -ge 5 ]; then
    echo "dovecot failed to start; see $WORK/dovecot.log:" >&2
    tail -n 20 "$WORK/dovecot.log" >&2 || true
    exit 1
  fi
done
