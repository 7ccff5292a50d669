# Sourced by the scenarios: the top of an nginx config for a benchmark run, one worker in the foreground,
# no access log, pid, error log and temp files under DIR. The caller appends its own http-level lines
# (upstream, server blocks) and the closing brace.
#
#   { nginx_conf_head "$TMP"; cat <<CONF ... } CONF; } > "$TMP/nginx.conf"
nginx_conf_head() {
  mkdir -p "$1/nginx"
  chmod 777 "$1/nginx"
  cat <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/nginx/body;
  proxy_temp_path $1/nginx/proxy;
  fastcgi_temp_path $1/nginx/fastcgi;
  uwsgi_temp_path $1/nginx/uwsgi;
  scgi_temp_path $1/nginx/scgi;
CONF
}
