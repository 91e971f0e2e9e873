"""Playing at the terminal: hot-seat games between two humans, or a human against a bot.

``Session`` runs the loop (turns, hand-overs, undo, save and autosave); ``screen`` draws the board
from one role's observation; ``commands`` reads what a player types; ``preview`` shows what a
package would do; ``saves`` writes and loads saved games; ``replay`` steps through a record.
Nothing here imports click: ``cli.commands`` wires these to the ``play`` and ``replay`` commands.
"""

from .saves import DATA_ENV, Loaded, data_dir, load_save, save_game
from .session import Ending, Seat, Session, SessionResult, make_seats, parse_players

__all__ = [
    "DATA_ENV",
    "Ending",
    "Loaded",
    "Seat",
    "Session",
    "SessionResult",
    "data_dir",
    "load_save",
    "make_seats",
    "parse_players",
    "save_game",
]
