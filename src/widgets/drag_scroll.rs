//! Drag-to-scroll for touchscreens that reach the kiosk as a mouse. Many booth touchscreens
//! (and X11 set up without multi-touch) deliver a finger as a pointer: press, move, release.
//! iced's scrollable scrolls with a wheel or its 10 px scrollbar (and with touch events only when
//! the finger does not land on a row's button), so a finger dragging a list did nothing. This
//! wrapper scrolls the list it holds by the finger's movement once a drag goes further than a
//! tap's wobble, and cancels the press the row under the finger got, so a drag never taps the
//! row it started on. A plain tap passes through unchanged.

use iced::advanced::layout::{self, Layout};
use iced::advanced::widget::{tree, Operation, Tree, Widget};
use iced::advanced::{mouse, overlay, renderer, Clipboard, Shell};
use iced::{Element, Event, Length, Point, Rectangle, Size, Vector};

/// How far a finger may wobble during a tap, in pixels, before it is a drag.
pub const SLOP: f32 = 12.0;

/// Wraps `content` (a scrollable, or anything holding one) so a pointer drag scrolls it.
pub fn drag_scroll<'a, M: 'a, Theme: 'a, Renderer>(
    content: impl Into<Element<'a, M, Theme, Renderer>>,
) -> DragScroll<'a, M, Theme, Renderer>
where
    Renderer: iced::advanced::Renderer + 'a,
{
    DragScroll {
        content: content.into(),
    }
}

pub struct DragScroll<'a, M, Theme, Renderer> {
    content: Element<'a, M, Theme, Renderer>,
}

#[derive(Debug, Default)]
struct State {
    /// Where the pointer was last seen while it is down.
    pressed_at: Option<Point>,
    dragging: bool,
}

/// Scrolls the first scrollable it meets by `offset`.
struct ScrollBy {
    offset: Vector,
    done: bool,
}

impl Operation for ScrollBy {
    fn traverse(&mut self, operate: &mut dyn FnMut(&mut dyn Operation)) {
        if !self.done {
            operate(self);
        }
    }

    fn scrollable(
        &mut self,
        _id: Option<&iced::advanced::widget::Id>,
        bounds: Rectangle,
        content_bounds: Rectangle,
        _translation: Vector,
        state: &mut dyn iced::advanced::widget::operation::Scrollable,
    ) {
        if !self.done {
            self.done = true;
            state.scroll_by(
                iced::widget::scrollable::AbsoluteOffset {
                    x: self.offset.x,
                    y: self.offset.y,
                },
                bounds,
                content_bounds,
            );
        }
    }
}

impl<M, Theme, Renderer> Widget<M, Theme, Renderer> for DragScroll<'_, M, Theme, Renderer>
where
    Renderer: iced::advanced::Renderer,
{
    fn size(&self) -> Size<Length> {
        self.content.as_widget().size()
    }

    fn size_hint(&self) -> Size<Length> {
        self.content.as_widget().size_hint()
    }

    fn layout(
        &mut self,
        tree: &mut Tree,
        renderer: &Renderer,
        limits: &layout::Limits,
    ) -> layout::Node {
        self.content
            .as_widget_mut()
            .layout(&mut tree.children[0], renderer, limits)
    }

    fn draw(
        &self,
        tree: &Tree,
        renderer: &mut Renderer,
        theme: &Theme,
        style: &renderer::Style,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
    ) {
        self.content.as_widget().draw(
            &tree.children[0],
            renderer,
            theme,
            style,
            layout,
            cursor,
            viewport,
        );
    }

    fn tag(&self) -> tree::Tag {
        tree::Tag::of::<State>()
    }

    fn state(&self) -> tree::State {
        tree::State::new(State::default())
    }

    fn children(&self) -> Vec<Tree> {
        vec![Tree::new(&self.content)]
    }

    fn diff(&self, tree: &mut Tree) {
        tree.diff_children(std::slice::from_ref(&self.content));
    }

    fn operate(
        &mut self,
        tree: &mut Tree,
        layout: Layout<'_>,
        renderer: &Renderer,
        operation: &mut dyn Operation,
    ) {
        self.content
            .as_widget_mut()
            .operate(&mut tree.children[0], layout, renderer, operation);
    }

    fn update(
        &mut self,
        tree: &mut Tree,
        event: &Event,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &Renderer,
        clipboard: &mut dyn Clipboard,
        shell: &mut Shell<'_, M>,
        viewport: &Rectangle,
    ) {
        let state = tree.state.downcast_mut::<State>();
        match event {
            Event::Mouse(mouse::Event::ButtonPressed(mouse::Button::Left)) => {
                state.dragging = false;
                state.pressed_at = cursor.position().filter(|p| layout.bounds().contains(*p));
            }
            Event::Mouse(mouse::Event::CursorMoved { position }) => {
                if let Some(last) = state.pressed_at {
                    if !state.dragging && last.distance(*position) > SLOP {
                        state.dragging = true;
                        // The row under the finger got a press: let it go without a tap.
                        let release =
                            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left));
                        self.content.as_widget_mut().update(
                            &mut tree.children[0],
                            &release,
                            layout,
                            mouse::Cursor::Unavailable,
                            renderer,
                            clipboard,
                            shell,
                            viewport,
                        );
                    }
                    let state = tree.state.downcast_mut::<State>();
                    if state.dragging {
                        state.pressed_at = Some(*position);
                        // The content follows the finger: dragging up scrolls down.
                        let mut scroll = ScrollBy {
                            offset: Vector::new(last.x - position.x, last.y - position.y),
                            done: false,
                        };
                        self.content.as_widget_mut().operate(
                            &mut tree.children[0],
                            layout,
                            renderer,
                            &mut scroll,
                        );
                        shell.capture_event();
                        shell.request_redraw();
                        return;
                    }
                }
            }
            Event::Mouse(mouse::Event::ButtonReleased(mouse::Button::Left)) => {
                state.pressed_at = None;
                if std::mem::take(&mut state.dragging) {
                    shell.capture_event();
                    return;
                }
            }
            _ => {}
        }
        self.content.as_widget_mut().update(
            &mut tree.children[0],
            event,
            layout,
            cursor,
            renderer,
            clipboard,
            shell,
            viewport,
        );
    }

    fn mouse_interaction(
        &self,
        tree: &Tree,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
        renderer: &Renderer,
    ) -> mouse::Interaction {
        if tree.state.downcast_ref::<State>().dragging {
            return mouse::Interaction::Grabbing;
        }
        self.content.as_widget().mouse_interaction(
            &tree.children[0],
            layout,
            cursor,
            viewport,
            renderer,
        )
    }

    fn overlay<'b>(
        &'b mut self,
        tree: &'b mut Tree,
        layout: Layout<'b>,
        renderer: &Renderer,
        viewport: &Rectangle,
        translation: Vector,
    ) -> Option<overlay::Element<'b, M, Theme, Renderer>> {
        self.content.as_widget_mut().overlay(
            &mut tree.children[0],
            layout,
            renderer,
            viewport,
            translation,
        )
    }
}

impl<'a, M: 'a, Theme: 'a, Renderer> From<DragScroll<'a, M, Theme, Renderer>>
    for Element<'a, M, Theme, Renderer>
where
    Renderer: iced::advanced::Renderer + 'a,
{
    fn from(d: DragScroll<'a, M, Theme, Renderer>) -> Self {
        Element::new(d)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use iced::mouse::{Button, Event as M};
    use iced::widget::{button, column, scrollable, text};

    fn list<'a>() -> Element<'a, usize> {
        let rows = (0..40).map(|i| {
            button(text(format!("row {i}")))
                .height(Length::Fixed(60.0))
                .on_press(i)
                .into()
        });
        drag_scroll(scrollable(column(rows)).height(Length::Fixed(400.0))).into()
    }

    /// A finger on a pointer-emulating touchscreen: down at `from`, along to `to`, up.
    fn drag(ui: &mut iced_test::Simulator<'_, usize>, from: Point, to: Point) {
        ui.point_at(from);
        ui.simulate([Event::Mouse(M::ButtonPressed(Button::Left))]);
        for step in 1..=10 {
            let t = step as f32 / 10.0;
            let p = Point::new(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t);
            ui.point_at(p);
            ui.simulate([Event::Mouse(M::CursorMoved { position: p })]);
        }
        ui.simulate([Event::Mouse(M::ButtonReleased(Button::Left))]);
    }

    #[test]
    fn a_finger_dragging_a_list_scrolls_it_and_taps_nothing() {
        let mut ui = iced_test::simulator(list());
        let start = Point::new(30.0, 330.0);
        // Up by five rows: the rows move with the finger, and the one it began on is not tapped.
        drag(&mut ui, start, Point::new(30.0, 30.0));
        // A tap with a little wobble, where the drag began: now row 10 is there.
        drag(&mut ui, start, Point::new(33.0, 334.0));
        let tapped: Vec<usize> = ui.into_messages().collect();
        assert_eq!(
            tapped,
            vec![10],
            "only the tap taps, on the row scrolled under it"
        );
    }
}
