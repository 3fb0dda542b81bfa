# Error pages and htmx error messages.
error-reference = Reference: { $id }
error-reference-hint = If you ask for help, quote this reference.
error-back-home = Back to the start page
error-not-found-title = Not found
error-not-found = There is nothing here, or you do not have access to it.
error-forbidden-title = Not allowed
error-forbidden = Your role does not allow this, or the request could not be verified. Reload the page and try again.
error-bad-request-title = Bad request
error-bad-request = The request could not be understood.
error-method-title = Not supported
error-method = This address does not accept this kind of request.
error-timeout-title = Took too long
error-timeout = The request took too long. Please try again.
error-conflict-title = Not possible
error-conflict = This cannot be done right now.
error-too-large-title = Too large
error-too-large = The request is too large.
error-invalid-title = Please check your input
error-invalid = Some of what was entered is not valid.
error-throttled-title = Too many attempts
error-throttled = Too many attempts. Try again in { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}.
error-throttled-generic = Too many requests. Please wait a moment and try again.
error-internal-title = Something went wrong
error-internal = Something went wrong on our side. It has been logged.

## Input refused at the edge, before any page sees it (input.rs).
input-control-character = contains a control character (such as a NUL byte, a tab or a line break), which no field accepts
input-not-text = is not readable text (it must be UTF-8)
input-unreadable-name = a field with an unreadable name
