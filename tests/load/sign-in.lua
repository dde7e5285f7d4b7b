-- wrk script: each request signs in with the load test's account (a POST of the sign-in form).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "email=load%40example.com&password=load+test+passphrase"
