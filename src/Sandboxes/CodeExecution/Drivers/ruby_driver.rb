# Runs Ruby code for the Sandboxes library, inside a sandbox, with the standard library only.
#
#   ruby -e "$DRIVER" once NONCE FILE    run FILE once; exit 0, 1 when it raised, or its exit status
#   ruby -e "$DRIVER" context NONCE      a persistent context: read requests from stdin until it closes
#
# The protocol is the Python driver's: requests "ID LENGTH\n" + code on stdin, control lines "\x1fsbx:NONCE JSON" on
# stdout (start and end lines on stderr too). Code runs in one binding, so local variables, methods and constants
# survive; the value of the last expression is shown with inspect, as irb does.
require 'json'

mode, nonce, file = ARGV
SBX_MARK = "\x1fsbx:#{nonce} ".freeze
$stdout.sync = true
$stderr.sync = true

def sbx_emit(event, both = false)
  line = SBX_MARK + JSON.generate(event) + "\n"
  STDOUT.write(line)
  STDERR.write(line) if both
end

$sbx_binding = TOPLEVEL_BINDING.dup
$sbx_cells = 0
$sbx_executing = false

def sbx_run(code)
  $sbx_cells += 1
  name = "<cell-#{$sbx_cells}>"
  begin
    $sbx_executing = true
    value = $sbx_binding.eval(code, name, 1)
    $sbx_executing = false
    sbx_emit({ t: 'display', main: true, data: { 'text/plain' => value.inspect } }) unless value.nil?
    'ok'
  rescue SystemExit => e
    $sbx_executing = false
    raise if $sbx_once
    sbx_emit({ t: 'error', name: 'SystemExit', value: e.status.to_s, traceback: "SystemExit: #{e.status}\n" })
    'error'
  rescue Exception => e
    $sbx_executing = false
    # Frames of this driver are not the user's business.
    trace = (e.backtrace || []).take_while { |l| !l.start_with?('-e:') }
    text = "#{e.class}: #{e.message}\n" + trace.map { |l| "  from #{l}\n" }.join
    sbx_emit({ t: 'error', name: e.class.name, value: e.message.to_s, traceback: text })
    'error'
  ensure
    $sbx_executing = false
  end
end

if mode == 'once'
  $sbx_once = true
  status = sbx_run(File.read(file, encoding: 'UTF-8'))
  exit(status == 'ok' ? 0 : 1)
end

# A context: requests on a private copy of stdin; the code gets an empty one.
control = IO.new(STDIN.fileno).dup
STDIN.reopen(File.open(File::NULL))
trap('INT') { raise Interrupt if $sbx_executing }
sbx_emit({ t: 'ready', pid: Process.pid, version: RUBY_VERSION }, true)
loop do
  header = control.gets
  break if header.nil?
  id, length = header.split
  code = length.to_i.zero? ? '' : control.read(length.to_i).force_encoding('UTF-8')
  sbx_emit({ t: 'start', id: id }, true)
  status = sbx_run(code)
  sbx_emit({ t: 'end', id: id, status: status }, true)
end
